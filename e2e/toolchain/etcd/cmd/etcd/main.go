// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 for the e2e tier.
// It does exactly what upstream's root main.go does: hand the arguments to etcdmain.Main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
