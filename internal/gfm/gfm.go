// Package gfm is GitHub's markdown for goldmark — tables, strikethrough,
// task lists and bare URLs — plus definition lists, without goldmark's
// extension package.
//
// goldmark's extension package compiles its Linkify patterns (URLs of up to
// 256 host characters, spelt out as regexp repetitions) in package
// initialisers, which run before every coursectl command's main, needed or
// not: 2–3 ms of each start (docs/benchmarks.md, "Start-up"). So this
// package holds verbatim copies of goldmark's table, strikethrough, task
// list and definition list files (sync.sh writes them from the goldmark in
// go.mod; TestCopiesAreGoldmarks fails when they drift), and its own
// Linkify: the same rules as goldmark's, scanned by hand (linkify.go;
// TestLinkifyAsGoldmark compares the two on every page in the repository).
package gfm

//go:generate sh sync.sh

import (
	"github.com/yuin/goldmark"
)

type gfm struct{}

// GFM is goldmark's extension.GFM: Table, Strikethrough, Linkify and
// TaskList.
var GFM goldmark.Extender = gfm{}

func (gfm) Extend(m goldmark.Markdown) {
	Linkify.Extend(m)
	Table.Extend(m)
	Strikethrough.Extend(m)
	TaskList.Extend(m)
}
