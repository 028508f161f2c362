// Command coursectl runs a course's markdown: see README.md.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], stdStreams())) }
