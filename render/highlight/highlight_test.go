package highlight

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// The tests compare with chroma's own registries, which a test binary
// may link: they are what the embedded data must reproduce.

// fenceNames are the names course pages write; each must be highlighted.
var fenceNames = []string{
	"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "PowerShell", "ps1",
	"python", "py", "yaml", "yml", "json", "toml", "ini", "dockerfile", "Dockerfile", "docker",
	"makefile", "Makefile", "make", "go", "golang", "javascript", "js", "typescript", "ts",
	"html", "css", "xml", "sql", "diff", "patch", "r", "ruby", "rb", "rust", "rs", "c",
	"c++", "cpp", "java", "markdown", "md", "nginx", "terraform", "tf", "hcl", "lua",
	"perl", "plaintext", "text",
}

func TestLookupIsLexersGet(t *testing.T) {
	for _, name := range fenceNames {
		if Lexer(name) == nil {
			t.Errorf("Lexer(%q) = nil, want a lexer", name)
		}
	}
	for key, want := range lookup {
		got := Lexer(key)
		if got == nil || got.Config().Name != want {
			t.Errorf("Lexer(%q) = %v, want %s", key, got, want)
			continue
		}
		if strings.ToUpper(key) != key && Lexer(strings.ToUpper(key)) != got {
			t.Errorf("Lexer(%q) is not Lexer(%q)", strings.ToUpper(key), key)
		}
		// Keys only chroma's own case finds (Vagrantfile) are ours alone.
		if c := lexers.Get(key); c != nil && c.Config().Name != want {
			t.Errorf("Lexer(%q) is %s, lexers.Get gives %s", key, want, c.Config().Name)
		}
	}
}

// TestUnknownLanguage: a language outside the set is nil, for the
// caller to show as plain text, and so is a style we do not embed.
func TestUnknownLanguage(t *testing.T) {
	for _, name := range []string{"", "output", "no-such-language", "haskell", "Dockerfile.dev"} {
		if l := Lexer(name); l != nil {
			t.Errorf("Lexer(%q) = %s, want nil", name, l.Config().Name)
		}
	}
	if s := Style("monokai"); s != nil {
		t.Errorf("Style(monokai) = %s, want nil", s.Name)
	}
}

// samples has a text for every language, written to reach the rules
// that depend on other lexers or on chroma's Go code.
var samples = map[string]string{
	"Bash":                     "#!/bin/bash\nset -euo pipefail\nfor f in *.md; do\n  echo \"file: $f ${HOME}\" | grep -q x && exit 1\ndone\ncat <<'EOF'\nheredoc $x\nEOF\n",
	"Bash Session":             "$ ls -la /tmp\ntotal 0\n# apt-get install -y curl\nuser@host:~$ echo \"hi $USER\"\nhi me\n",
	"PowerShell":               "$env:PATH += \";C:\\bin\"\nGet-ChildItem -Path . | Where-Object { $_.Length -gt 1kb }\nWrite-Host \"done\" # comment\n",
	"Python":                   "import os\n\n@dataclass\nclass A(B):\n    def f(self, x: int = 3) -> str:\n        \"\"\"Doc.\"\"\"\n        return f\"{x!r} {os.sep}\"  # c\n",
	"Go":                       "package main\n\nimport \"fmt\"\n\n// main runs.\nfunc main() {\n\tt := `Hello {{.Name}} {{if .X}}x{{end}}`\n\tfmt.Println(t, 0x1f, 'a', []int{1})\n}\n",
	"JavaScript":               "const x = require('x');\nasync function f(a = 1) { return `t ${a}` + /re+/g.test(\"s\"); }\n",
	"TypeScript":               "interface P { name: string }\nexport const f = <T,>(p: P): T | undefined => undefined as any;\n",
	"Ruby":                     "class A < B\n  def f(x = 1)\n    puts \"#{x}\" if x&.nil?\n  end\nend\n",
	"Rust":                     "fn main() {\n    let v: Vec<u8> = vec![1, 2];\n    println!(\"{:?}\", v); // c\n}\n",
	"C":                        "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 1); return 0; }\n",
	"C++":                      "#include <vector>\ntemplate <class T> auto f(std::vector<T> v) -> T { return v[0]; }\n",
	"Java":                     "public class A { @Override public String toString() { return \"a\" + 1L; } }\n",
	"R":                        "x <- c(1, 2, 3)\nf <- function(a) { mean(a) } # c\nlibrary(ggplot2)\n",
	"Lua":                      "local t = { a = 1 }\nfunction f(x) return x .. \"s\" end -- c\n",
	"Perl":                     "use strict;\nmy $x = qw(a b);\nprint \"$x\\n\" if $x =~ /a+/;\n",
	"SQL":                      "SELECT a, COUNT(*) FROM t WHERE b = 'x' GROUP BY a; -- c\nCREATE TABLE t (id INT PRIMARY KEY);\n",
	"YAML":                     "key: value\nlist:\n  - a\n  - \"b\"\nanchor: &a\n  n: 1 # c\n",
	"JSON":                     "{\"a\": [1, 2.5, true, null], \"b\": {\"c\": \"d\"}}\n",
	"TOML":                     "[tool.x]\nname = \"a\"\nn = 1\ndate = 1979-05-27T07:32:00Z\n",
	"INI":                      "[section]\nkey = value ; c\n# c\n",
	"XML":                      "<?xml version=\"1.0\"?>\n<a b=\"c\"><!-- c --><d/>text</a>\n",
	"HTML":                     "<!DOCTYPE html>\n<html><head><style>body { color: red; }</style>\n<script>let x = 1 + 2;</script></head><body class=\"a\">t &amp; u</body></html>\n",
	"CSS":                      "@media (max-width: 600px) { .a > b:hover { color: #fff !important; } }\n",
	"markdown":                 "---\ntitle: Intro\ntags: [a, b]\n---\n# Heading\n\nSome *emphasis* and `code`.\n\n```bash\necho \"$HOME\"\n```\n\n```python\nprint(1)\n```\n\n- item\n",
	"Docker":                   "FROM golang:1.22 AS build\nRUN apt-get update && echo \"$HOME\" \\\n    && rm -rf /var/lib/apt/lists/*\nCMD [\"./app\", \"--flag\"]\n",
	"Makefile":                 "all: build\n\nbuild:\n\tgo build -o $(BIN) ./... && echo \"done $$HOME\"\n",
	"Nginx configuration file": "server {\n    listen 80;\n    location / { proxy_pass http://127.0.0.1:8080; }\n}\n",
	"Terraform":                "resource \"aws_instance\" \"web\" {\n  ami = var.ami # c\n  tags = { Name = \"web\" }\n}\n",
	"HCL":                      "variable \"x\" {\n  default = 1\n}\n",
	"Diff":                     "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n",
	"plaintext":                "just <text> & $stuff\n",
}

// TestTokensAreChromas lexes each sample, and chroma's own test inputs
// for the languages, with our lexer and with chroma's registry's: the
// data, and what this package builds around it (registries, Go's raw
// strings, markdown's front matter), must give chroma's tokens.
func TestTokensAreChromas(t *testing.T) {
	inputs := chromaTestInputs(t)
	for _, name := range languageNames() {
		sample, ok := samples[name]
		if !ok {
			t.Errorf("no sample for %s", name)
		}
		texts := append([]string{sample}, inputs[name]...)
		for i, text := range texts {
			if lang := fenceOutsideSet(text); name == "markdown" && lang != "" {
				// Our markdown highlights fenced code in the set's
				// languages only (see lexerDef.uses).
				t.Logf("markdown, text %d: skipped, fences %s", i, lang)
				continue
			}
			got := tokens(t, Lexer(name), text)
			want := tokens(t, lexers.Get(name), text)
			if !slices.Equal(got, want) {
				t.Errorf("%s, text %d: tokens differ from chroma's\ngot  %v\nwant %v", name, i, got, want)
			}
		}
	}
}

// TestUsingAnotherLexer: a lexer that hands parts of its text to another
// (docker's RUN to bash) highlights them with it.
func TestUsingAnotherLexer(t *testing.T) {
	toks := tokens(t, Lexer("dockerfile"), "FROM alpine\nRUN echo \"$HOME\"\n")
	if !slices.Contains(toks, chroma.Token{Type: chroma.NameBuiltin, Value: "echo"}) ||
		!slices.Contains(toks, chroma.Token{Type: chroma.NameVariable, Value: "$HOME"}) {
		t.Errorf("RUN is not lexed as bash: %v", toks)
	}
	toks = tokens(t, Lexer("go"), "x := `a {{.B}}`\n")
	if !slices.Contains(toks, chroma.Token{Type: chroma.LiteralString, Value: "a "}) ||
		!slices.Contains(toks, chroma.Token{Type: chroma.NameAttribute, Value: ".B"}) {
		t.Errorf("a Go raw string is not lexed as a template: %v", toks)
	}
}

func TestStylesAreChromas(t *testing.T) {
	f := chromahtml.New(chromahtml.WithClasses(true))
	for name := range styleFiles {
		ours, theirs := Style(name), styles.Get(name)
		if ours == nil || ours.Name != theirs.Name {
			t.Fatalf("Style(%q) = %v, want chroma's %s", name, ours, theirs.Name)
		}
		if Style(strings.ToUpper(name)) != ours {
			t.Errorf("Style(%q) is not Style(%q)", strings.ToUpper(name), name)
		}
		var got, want strings.Builder
		if err := f.WriteCSS(&got, ours); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteCSS(&want, theirs); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: CSS differs from chroma's\ngot  %s\nwant %s", name, got.String(), want.String())
		}
	}
}

// TestConcurrentUse builds and uses lexers from many goroutines at once
// (meaningful under go test -race).
func TestConcurrentUse(t *testing.T) {
	names := []string{"markdown", "dockerfile", "bash", "makefile", "go", "html", "console"}
	var wg sync.WaitGroup
	for i := range 4 * len(names) {
		name := names[i%len(names)]
		wg.Go(func() {
			l := Lexer(name)
			if l == nil {
				t.Errorf("Lexer(%q) = nil", name)
				return
			}
			it, err := l.Tokenise(nil, samples[l.Config().Name])
			if err != nil {
				t.Error(err)
				return
			}
			it.Tokens()
			if Style("github") == nil {
				t.Error("no github style")
			}
		})
	}
	wg.Wait()
}

var fenceRE = regexp.MustCompile("(?m)^```(\\w+)")

// fenceOutsideSet is the first language of a markdown fence in text that
// is not in the set.
func fenceOutsideSet(text string) string {
	for _, m := range fenceRE.FindAllStringSubmatch(text, -1) {
		if Lexer(m[1]) == nil {
			return m[1]
		}
	}
	return ""
}

// languageNames are the lexers Lexer can return.
func languageNames() []string {
	var names []string
	for _, n := range lookup {
		names = append(names, n)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func tokens(t *testing.T, l chroma.Lexer, text string) []chroma.Token {
	t.Helper()
	it, err := l.Tokenise(nil, text)
	if err != nil {
		t.Fatalf("%s: %v", l.Config().Name, err)
	}
	return it.Tokens()
}

// chromaTestInputs are chroma's lexer test inputs (lexers/testdata in
// its module) for our languages, by lexer name.
func chromaTestInputs(t *testing.T) map[string][]string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/alecthomas/chroma/v2").Output()
	if err != nil {
		t.Fatalf("go list -m chroma: %v", err)
	}
	paths, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "lexers", "testdata", "*.actual"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no chroma test inputs: %v", err)
	}
	inputs := map[string][]string{}
	for _, p := range paths {
		// chroma names them by lexer: go.actual, go.trailing_slashes.actual.
		base, _, _ := strings.Cut(filepath.Base(p), ".")
		l := lexers.Get(base)
		if l == nil || Lexer(l.Config().Name) == nil || Lexer(l.Config().Name).Config().Name != l.Config().Name {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[l.Config().Name] = append(inputs[l.Config().Name], string(b))
	}
	return inputs
}
