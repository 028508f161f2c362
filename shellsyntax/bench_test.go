package shellsyntax

import (
	"path/filepath"
	"strings"
	"testing"
)

// corpusBlocks are the fenced blocks of the repository's modules and of the
// shared courses when they are there (../../shared/courses): the text the
// scanner reads in practice.
func corpusBlocks(b *testing.B) [][]string {
	files, _ := filepath.Glob("../testdata/corpus/*/*.md")
	files = append(files, "../testdata/module1.md")
	more, _ := filepath.Glob("../../shared/courses/*/episodes/*.md")
	files = append(files, more...)
	var blocks [][]string
	for i, t := range moduleTexts(b, files) {
		if i > 0 && strings.HasPrefix(t, "---") || strings.Count(t, "\n") > 400 {
			continue // a whole file, not a block
		}
		blocks = append(blocks, strings.Split(t, "\n"))
	}
	return blocks
}

func prompted(lines []string) bool {
	for _, l := range lines {
		if _, ok := PromptText(l); ok {
			return true
		}
	}
	return false
}

// BenchmarkSplitCorpus splits every block of the corpus into commands, as
// course does for each step.
//
//	go test ./shellsyntax -run '^$' -bench Corpus -benchmem
func BenchmarkSplitCorpus(b *testing.B) {
	blocks := corpusBlocks(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, bl := range blocks {
			if prompted(bl) {
				n += len(SplitTranscript(bl))
			} else {
				n += len(SplitScript(bl))
			}
		}
	}
	b.ReportMetric(float64(len(blocks)), "blocks")
	b.ReportMetric(float64(n), "commands")
}

// BenchmarkCallsCorpus finds the calls of every command of the corpus and
// asks each whether it waits for keys, as lint does.
func BenchmarkCallsCorpus(b *testing.B) {
	var cmds []string
	for _, bl := range corpusBlocks(b) {
		split := SplitScript(bl)
		if prompted(bl) {
			split = SplitTranscript(bl)
		}
		for _, c := range split {
			cmds = append(cmds, c.Text)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cmds {
			for _, call := range Calls(c) {
				WaitsForKeys(call)
			}
		}
	}
	b.ReportMetric(float64(len(cmds)), "commands")
}
