// Command pulumi-resource-kubernetes serves the upstream Kubernetes provider.
//
// Upstream's own main package go:embeds schema-embed.json and terraform-mapping-embed.json, which are
// outputs of `go generate` and so are not in the module zip. This main calls the same entry point
// (provider.Serve) with the same two files, generated before the build by ../embedgen from the
// module's own schema.json and terraform-mapping.json.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
