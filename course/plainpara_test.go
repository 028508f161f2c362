package course

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	gmparser "github.com/yuin/goldmark/parser"
)

// Leaving the inline content of link-free paragraphs unparsed changes
// nothing the model holds: every real page here, and pages built to trip
// goldmark's paragraph handling, read the same with goldmark's full parse.
func TestPlainParagraphsReadAsGoldmarkDoes(t *testing.T) {
	pages := map[string]string{}
	files, _ := filepath.Glob("../testdata/corpus/*/*.md")
	more, _ := filepath.Glob("../testdata/courses/*/episodes/*.md")
	for _, f := range append(append(files, more...), "../testdata/module1.md") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[f] = string(b)
	}
	// A setext heading's text is a paragraph until its underline; steps
	// under it take their ids from it.
	pages["setext"] = "Install\n=======\n\n```sh\ntrue\n```\n\nRun it\n---\n\n```sh\ntrue\n```\n"
	pages["setext in a list"] = "- item\n  text\n  ---\n\n```sh\ntrue\n```\n"
	pages["break after quote"] = "> quoted\n---\n\n# Next\n\n```sh\ntrue\n```\n"
	pages["table"] = "a | b\n--- | ---\n1 | 2\n\n```sh\ntrue\n```\n"
	pages["link reference"] = "[ref]: https://example.com\n\nSee [it][ref] and [x](y.md).\n\n```sh\ntrue\n```\n"
	pages["divs"] = "::: challenge\n\nText  \n\n```sh\ntrue\n```\n\n:::\n\n:::: solution\ntext\n::::\n"
	pages["tight list"] = "1. one\n2. two `[x]`\n\n   ```sh\n   true\n   ```\n"
	pages["blanks"] = "   indented text   \n  more  \n\n```sh\ntrue\n```\n"
	pages["html"] = "<!-- coursectl: name=a -->\n```sh\ntrue\n```\n\ntext <b>bold</b>\n"
	for name, src := range pages {
		t.Run(name, func(t *testing.T) {
			got, err := Parse("page.md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			newModuleParser = func() gmparser.Parser { return Markdown().Parser() }
			defer func() { newModuleParser = moduleParser }()
			want, err := Parse("page.md", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the model differs from goldmark's full parse")
				for i := range min(len(got.Steps), len(want.Steps)) {
					if !reflect.DeepEqual(got.Steps[i], want.Steps[i]) {
						t.Errorf("first differing step %d: %+v\nwant %+v", i, *got.Steps[i], *want.Steps[i])
						break
					}
				}
			}
		})
	}
}

// FuzzPlainParagraphs looks for a page the two parses read differently.
func FuzzPlainParagraphs(f *testing.F) {
	for _, seed := range []string{
		"Install\n=======\n\n```sh\ntrue\n```\n",
		"- item\n  text\n  ---\n\n```sh\ntrue\n```\n",
		"> quoted\n---\n\n# Next\n\n```sh\ntrue\n```\n",
		"a | b\n--- | ---\n1 | 2\n\n```sh\ntrue\n```\n",
		"[ref]: https://example.com\n\nSee [it][ref].\n\n```sh\ntrue\n```\n",
		"::: challenge\n\nText\n\n```sh\ntrue\n```\n\n:::\n",
		"1. one\n2. two\n\n   ```sh\n   true\n   ```\n",
		"text\n<!-- coursectl: skip -->\n```sh\ntrue\n```\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, err1 := Parse("page.md", []byte(src))
		newModuleParser = func() gmparser.Parser { return Markdown().Parser() }
		want, err2 := Parse("page.md", []byte(src))
		newModuleParser = moduleParser
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
		if err1 == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: the model differs from goldmark's full parse", src)
		}
	})
}
