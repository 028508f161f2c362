package shellsyntax

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// seedTexts are the repository's modules and every fenced block in them:
// real course text, shell or not.
func seedTexts(tb testing.TB) []string {
	files, _ := filepath.Glob("../testdata/corpus/*/*.md")
	files = append(files, "../testdata/module1.md")
	return moduleTexts(tb, files)
}

// moduleTexts are the files and every fenced block in them.
func moduleTexts(tb testing.TB, files []string) []string {
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		src := strings.ReplaceAll(string(b), "\r\n", "\n")
		out = append(out, src)
		var body []string
		in := false
		for _, l := range strings.Split(src, "\n") {
			t := strings.TrimLeft(l, " \t>")
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				if in {
					out = append(out, strings.Join(body, "\n"))
					body = body[:0]
				}
				in = !in
				continue
			}
			if in {
				body = append(body, l)
			}
		}
	}
	return out
}

// FuzzShell: no text makes the scanner panic, and what it gives lies
// inside the text: commands in order without overlap, calls on its lines.
//
//	go test ./shellsyntax -run '^$' -fuzz FuzzShell -fuzztime 60s
func FuzzShell(f *testing.F) {
	for _, s := range seedTexts(f) {
		f.Add(s)
	}
	for _, s := range []string{"echo a \\", "cat <<EOF\n$(", "$ cat <<'X'\n> a\nX", "f() { vim \"$@\" | less; }", "echo <a> <<<b", "# x \\\ny",
		"$ for i in 1\n> do\n> echo\n> done", "$ echo 'a\n> b\nc'\nout", "$ echo )\n> more\n$ ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Split(src, "\n")
		check := func(what string, cmds []Command) {
			last := -1
			for _, c := range cmds {
				if c.First <= last || c.Last < c.First || c.Last >= len(lines) {
					t.Fatalf("%s: command %d-%d after %d in %d lines", what, c.First, c.Last, last, len(lines))
				}
				last = c.Last
			}
		}
		check("SplitScript", SplitScript(lines))
		tr := SplitTranscript(lines)
		check("SplitTranscript", tr)
		if fast, slow := fmt.Sprintf("%+v", tr), fmt.Sprintf("%+v", splitTranscript(lines, false)); fast != slow {
			t.Fatalf("%q: transcript read fast\n%s\nby the parser\n%s", src, fast, slow)
		}
		Complete(src)
		Pipefail(src)
		checkPlain(t, src)
		if c, ok := Simple(src); ok && len(Calls(src)) != 1 {
			t.Fatalf("%q: simple %q but %d calls", src, c.Name, len(Calls(src)))
		}
		for _, c := range Calls(src) {
			if c.Line < 1 || c.Line > len(lines) {
				t.Fatalf("call %q at line %d of %d", c.Name, c.Line, len(lines))
			}
			WaitsForKeys(c)
			if ed, _, _ := EditorTarget(c); ed != "" && !MayOpenEditor(src) {
				t.Fatalf("%q: %s opens an editor, but MayOpenEditor says no", src, ed)
			}
			c.Sudo()
		}
	})
}

// FuzzLine: the readings of plain lines without the parser say what the
// parser says. Seeded with every line of the testdata modules.
//
//	go test ./shellsyntax -run '^$' -fuzz FuzzLine -fuzztime 60s
func FuzzLine(f *testing.F) {
	for _, s := range seedTexts(f) {
		for _, l := range strings.Split(s, "\n") {
			if p, ok := PromptText(l); ok {
				l = p
			}
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "\n") {
			return
		}
		checkPlain(t, line)
		for _, c := range Calls(line) {
			if ed, _, _ := EditorTarget(c); ed != "" && !MayOpenEditor(line) {
				t.Fatalf("%q: %s opens an editor, but MayOpenEditor says no", line, ed)
			}
		}
	})
}

// checkPlain holds plainCommand and plainCall to the parser's reading.
func checkPlain(t *testing.T, src string) {
	t.Helper()
	if plainCommand(src) {
		// The fast path for plain lines says what the parser says:
		// one whole command.
		var got []verdict
		readLines(getParser(), func() (string, bool) {
			if len(got) > 0 {
				return "", false
			}
			return src, true
		}, func(stmts []*syntax.Stmt, v verdict) bool {
			if v == complete && len(stmts) == 0 {
				v = incomplete // nothing read: not a command
			}
			got = append(got, v)
			return true
		})
		if len(got) == 0 || got[0] == incomplete {
			t.Fatalf("%q: plain, but the parser reads %v", src, got)
		}
	}
	if _, ok := plainCall(src); ok {
		if fast, slow := fmt.Sprintf("%+v", Calls(src)), fmt.Sprintf("%+v", parseCalls(src)); fast != slow {
			t.Fatalf("%q: plain reading %q, parser %q", src, fast, slow)
		}
		fc, fok := Simple(src)
		sc, sok := parseSimple(src)
		if fast, slow := fmt.Sprintf("%v %+v", fok, fc), fmt.Sprintf("%v %+v", sok, sc); fast != slow {
			t.Fatalf("%q: plain reading simple %s, parser %s", src, fast, slow)
		}
	}
}
