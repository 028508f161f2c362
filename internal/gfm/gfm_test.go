package gfm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// The copies are goldmark's own files, only the package clause changed:
// after a goldmark upgrade, `go generate ./internal/gfm` brings them in
// step.
func TestCopiesAreGoldmarks(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yuin/goldmark").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	src := strings.TrimSpace(string(out))
	for _, f := range []string{"table", "strikethrough", "tasklist", "definition_list"} {
		want, err := os.ReadFile(filepath.Join(src, "extension", f+".go"))
		if err != nil {
			t.Fatal(err)
		}
		want = bytes.Replace(want, []byte("package extension\n"), []byte("package gfm\n"), 1)
		got, err := os.ReadFile(f + ".go")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s.go differs from goldmark's extension/%s.go: run go generate ./internal/gfm", f, f)
		}
	}
}

// linkifySamples are the shapes the URL and e-mail patterns decide on.
const linkifySamples = `
See https://example.com/path, and (https://go.dev/doc/) or https://x.io.
www.example.com/a?b=c&d=e; www.shop.example.com/a$b https://pay.example.com/a$b ftp://files.example.org/pub/ and http://localhost:8080/x
A port http://example.com:8080/path#frag?q=1 and a trailing dot https://a.b.
Not a link: https://nodot or https:// or http://-.x ; email me@example.com.
An email with no dot user@localhost, one after text foo@bar.baz_ and a@b.co-x.
*https://emph.example.com* _www.under.example.org_ ~https://tilde.example.net~
Entities https://example.com/&amp; https://example.com/a&b; https://q.example.com/?x=1&y;
Parens https://en.wikipedia.org/wiki/Foo_(bar) and (https://example.com/a_(b)).
UPPER HTTPS://EXAMPLE.COM mixed https://Example.COM/Path and https://example.c0m/x
Long https://` + "aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.aaaaaaaaaa.com" + `/x
Code ` + "`https://not.linked.example.com`" + ` and [https://label.example.com](https://dest.example.com)
`

// Our Linkify finds the links goldmark's does, on the samples and on every
// markdown page in the repository and the shared corpus.
func TestLinkifyAsGoldmark(t *testing.T) {
	ours := goldmark.New(goldmark.WithExtensions(GFM, DefinitionList))
	theirs := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.DefinitionList))
	docs := map[string][]byte{"samples": []byte(linkifySamples)}
	for _, root := range []string{"../..", "../../../shared"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			if strings.HasSuffix(p, ".md") {
				if b, err := os.ReadFile(p); err == nil {
					docs[p] = b
				}
			}
			return nil
		})
	}
	if len(docs) < 20 {
		t.Fatalf("only %d documents found", len(docs))
	}
	for name, src := range docs {
		var a, b bytes.Buffer
		if err := ours.Convert(src, &a); err != nil {
			t.Fatal(err)
		}
		if err := theirs.Convert(src, &b); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s: our HTML differs from goldmark's:\n%s", name, firstDiff(a.String(), b.String()))
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "ours:   " + al[i] + "\ntheirs: " + bl[i]
		}
	}
	return "(lengths differ)"
}
