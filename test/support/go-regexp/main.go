// Test tooling only: reads one JSON string per line (a regular expression) and prints, per line,
// "ok" or "error: <message>" from Go's regexp.Compile, the function calico-node uses for
// interface autodetection. The product never runs this; tests compare its verdicts with re2js.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		var pattern string
		if err := json.Unmarshal(in.Bytes(), &pattern); err != nil {
			fmt.Println("error: bad input line")
			continue
		}
		if _, err := regexp.Compile(pattern); err != nil {
			fmt.Println("error: " + err.Error())
		} else {
			fmt.Println("ok")
		}
	}
}
