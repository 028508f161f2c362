package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// seedCheckpoints are checkpoint files as coursectl writes them: a root
// with every kind of entry, and a delta on it with a level-1 section.
func seedCheckpoints() [][]byte {
	root := &checkpointFile{step: 1, id: strings.Repeat("ab", 16), sections: []*section{{
		root: true,
		entries: []entry{
			{"v:x", `declare -- x=$'multi\nline \'q\''`},
			{"v:y", `declare -- y="quote's \"dq\" \$HOME \` + "`tick`" + `"`},
			{"v:m", `declare -A m=([k]="v" ["a b"]="2" [$'n\nl']="3" )`},
			{"v:a", `declare -a a=([3]="three" [7]="sev en")`},
			{"v:n", `declare -i n="42"`},
			{"v:r", `declare -n r="x"`},
			{"v:e", `declare -x e`},
			{"v:AWS", storedUnset},
			{"f:f", "x\x00f () \n{ \n    echo \"$1\";\n    cat <<EOF\n}\nEOF\n\n}\n"},
			{"a:ll", "=ls -l 'x'"},
		},
		umask: "0022", cwd: "/tmp/a dir", dirs: []string{"/", "/tmp"},
		history: []string{"echo hi", "x=1"}, fs: []string{"001-abc.fs"},
	}}}
	delta := &checkpointFile{step: 17, id: strings.Repeat("cd", 16), sections: []*section{
		{level: 0, base: 16, baseID: strings.Repeat("ef", 16), entries: []entry{{"v:x", ""}, {"f:f", ""}, {"a:ll", ""}},
			umask: "0077", cwd: "/", history: []string{"unset x"}},
		{level: 1, base: 1, baseID: root.id, entries: []entry{{"v:z", `declare -- z="1"`}}, umask: "0077", cwd: "/"},
	}}
	return [][]byte{root.encode(), delta.encode()}
}

// FuzzCheckpointReader: whatever the bytes, reading never panics; what it
// accepts writes back to the same thing; and the restore script made from
// it only declares, unsets, defines and sets options: no value of a
// checkpoint ever becomes a command, however it was crafted.
//
//	go test ./runner -run '^$' -fuzz FuzzCheckpointReader -fuzztime 60s
func FuzzCheckpointReader(f *testing.F) {
	for _, s := range seedCheckpoints() {
		f.Add(s)
	}
	f.Add([]byte(checkpointMagic + "\nsha256 00\n"))
	f.Add([]byte("# coursectl checkpoint 1\n# vars\ndeclare -- a=\"1\"\n# end\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeCheckpoint("fuzz", data)
		// The same bytes as the body of a file with a valid checksum, so
		// the fuzzer gets past the checksum to the reader of lines.
		if i := strings.Index(string(data), "\nstep "); i >= 0 {
			data = data[i+1:]
		}
		sum := sha256.Sum256(data)
		sealed := append([]byte(checkpointMagic+"\nsha256 "+hex.EncodeToString(sum[:])+"\n"), data...)
		cf, err := decodeCheckpoint("fuzz", sealed)
		if err != nil {
			return
		}
		again, err := decodeCheckpoint("fuzz", cf.encode())
		if err != nil {
			t.Fatalf("a checkpoint read back does not read again: %v", err)
		}
		if !reflect.DeepEqual(normalizeFile(cf), normalizeFile(again)) {
			t.Fatalf("read back differently:\n%#v\n%#v", cf, again)
		}
		var path []link
		for _, s := range cf.sections {
			path = append(path, link{0, s})
		}
		script, _ := restoreScript(stateOf(path))
		checkRestoreScript(t, script)
	})
}

// normalizeFile makes nil and empty slices alike for comparing.
func normalizeFile(f *checkpointFile) *checkpointFile {
	c := *f
	c.sections = nil
	for _, s := range f.sections {
		n := *s
		if len(n.history) == 0 {
			n.history = nil
		}
		if len(n.dirs) == 0 {
			n.dirs = nil
		}
		if len(n.entries) == 0 {
			n.entries = nil
		}
		c.sections = append(c.sections, &n)
	}
	return &c
}

// checkRestoreScript fails unless every top-level command of a restore
// script (up to the options loop, which is the runner's own text) is a
// declaration, an unset, an alias, a cd, pushd or umask with literal
// arguments, or a function definition.
func checkRestoreScript(t *testing.T, script string) {
	t.Helper()
	head, _, _ := strings.Cut(script, "__cc_so=")
	// Values may hold any bytes (inert in single quotes); the parser here
	// wants UTF-8.
	head = strings.ToValidUTF8(head, "?")
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(head), "")
	if err != nil {
		t.Fatalf("the restore script does not parse: %v\n%s", err, head)
	}
	for _, st := range f.Stmts {
		if st.Negated || st.Background || st.Coprocess {
			t.Fatalf("not a plain statement: %s", nodeText(head, st))
		}
		for _, r := range st.Redirs {
			if r.Word == nil || r.Word.Lit() != "/dev/null" {
				t.Fatalf("a redirection: %s", nodeText(head, st))
			}
		}
		switch c := st.Cmd.(type) {
		case *syntax.FuncDecl:
			continue
		case *syntax.DeclClause:
			if c.Variant.Value != "declare" {
				t.Fatalf("not a declare: %s", nodeText(head, st))
			}
			for _, a := range c.Args {
				for _, w := range []*syntax.Word{a.Value} {
					literalOnly(t, head, st, w)
				}
				if a.Array != nil {
					for _, e := range a.Array.Elems {
						literalOnly(t, head, st, e.Value)
						if w, ok := e.Index.(*syntax.Word); ok {
							literalOnly(t, head, st, w)
						} else if e.Index != nil {
							t.Fatalf("an index that is not a word: %s", nodeText(head, st))
						}
					}
				}
			}
		case *syntax.CallExpr:
			if len(c.Assigns) > 0 || len(c.Args) == 0 {
				t.Fatalf("not a command the restore runs: %s", nodeText(head, st))
			}
			switch c.Args[0].Lit() {
			case "unset", "alias", "cd", "pushd", "umask":
			default:
				t.Fatalf("not a command the restore runs: %s", nodeText(head, st))
			}
			for _, w := range c.Args {
				literalOnly(t, head, st, w)
			}
		default:
			t.Fatalf("not a command the restore runs: %s", nodeText(head, st))
		}
	}
}

func literalOnly(t *testing.T, src string, st *syntax.Stmt, w *syntax.Word) {
	t.Helper()
	if w == nil {
		return
	}
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "$`") {
				t.Fatalf("an expansion in %s", nodeText(src, st))
			}
		case *syntax.SglQuoted:
			if p.Dollar {
				t.Fatalf("$'' in %s", nodeText(src, st))
			}
		default:
			t.Fatalf("an expansion in %s", nodeText(src, st))
		}
	}
}

func nodeText(src string, n syntax.Node) string {
	return src[n.Pos().Offset():n.End().Offset()]
}

// FuzzParseDecl: any line is a declaration or refused; one accepted is
// written back with nothing bash would expand.
func FuzzParseDecl(f *testing.F) {
	for _, s := range seedCheckpoints() {
		for _, l := range strings.Split(string(s), "\n") {
			if strings.HasPrefix(l, "declare ") {
				f.Add(l)
			}
		}
	}
	f.Add(`declare -A m=(["\$(x)"]=$'\x41\u00e9\c[' )`)
	f.Fuzz(func(t *testing.T, line string) {
		d, err := parseDecl(line)
		if err != nil {
			return
		}
		checkRestoreScript(t, d.render()+"\n")
	})
}

// FuzzParseDump: the wrapper's dump reader never panics.
func FuzzParseDump(f *testing.F) {
	f.Add([]byte("@S full\n@S vars\ndeclare -- a=\"1\"\n@S fn declare -fx f\nf () \n{ \n    :\n}\n@S aliases\nalias a='b'\n@S traps\n@S umask\numask 0022\n@S cwd\n/\x00\n@S dirs\n/tmp\x00\n@S end\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseDump(data, "S")
	})
}
