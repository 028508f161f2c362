package shellsyntax

import (
	"fmt"
	"strings"
	"testing"
)

// Complete agrees with bash on where a command ends.
func TestCompleteAgreesWithBash(t *testing.T) {
	for src, want := range map[string]bool{
		"echo hi":                            true,
		"echo 'it''s'":                       true,
		"echo \"a":                           false,
		"echo \"a\nb\"":                      true,
		"echo a \\":                          false,
		"echo a \\\\":                        true,
		"echo a \\\nb":                       true,
		"ls |":                               false,
		"make &&":                            false,
		"make ||":                            false,
		"cat <<EOF":                          false,
		"cat <<EOF\nx\nEOF":                  true,
		"cat <<-EOF\n\tx\n\tEOF":             true,
		"cat <<'EOF'\n$(\nEOF":               true,
		"cat <<< 'here string'":              true,
		"for i in 1 2; do":                   false,
		"for i in 1 2; do\necho $i\ndone":    true,
		"echo done":                          true,
		"echo for if":                        true,
		"if true; then":                      false,
		"while read l; do echo $l; done < f": true,
		"x=$(date":                           false,
		"x=$(date)":                          true,
		"echo ${HOME}":                       true,
		"echo ${":                            false,
		"echo $((1+":                         false,
		"[[ -f x":                            false,
		"f() {":                              false,
		"f() {\n  :\n}":                      true,
		"case $a in\nx) echo ;;\nesac":       true,
		"case $a in":                         false,
		"echo # it's a comment":              true,
		"echo a#b 'c":                        false,
		"(cd /tmp":                           false,
		"(cd /tmp; ls)":                      true,
		"echo `date":                         false,
		// A syntax error is not a continuation: bash reports it at once.
		"git push <remote>": true,
		"echo )":            true,
		"fi":                true,
		"":                  true,
		"# just a comment":  true,
		// mvdan.cc/sh takes a backslash ending a comment for a line
		// continuation; bash does not (the comment ends at the newline).
		// No course page in the corpus has one; pinned so a fix upstream
		// is noticed.
		"echo a # see \\": false,
	} {
		if got := Complete(src); got != want {
			t.Errorf("Complete(%q) = %v, want %v", src, got, want)
		}
	}
}

func spans(cmds []Command) string {
	var b strings.Builder
	for _, c := range cmds {
		fmt.Fprintf(&b, "[%d-%d", c.First, c.Last)
		if c.Open {
			b.WriteString(" open")
		}
		fmt.Fprintf(&b, " %q]", c.Text)
	}
	return b.String()
}

func TestSplitScript(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"cd soft\nls -F", `[0-0 "cd soft"][1-1 "ls -F"]`},
		{"# setup\n\necho a; echo b\n  # note\necho c", `[2-2 "echo a; echo b"][4-4 "echo c"]`},
		{"for f in *.txt\ndo\n  # each file\n  wc -l $f\ndone\necho after",
			`[0-4 "for f in *.txt\ndo\n  # each file\n  wc -l $f\ndone"][5-5 "echo after"]`},
		{"cat <<EOF > notes.txt\nless is more\n# not a comment\nEOF\ncat notes.txt",
			`[0-3 "cat <<EOF > notes.txt\nless is more\n# not a comment\nEOF"][4-4 "cat notes.txt"]`},
		{"docker run -d \\\n  -p 80:80 \\\n  nginx\necho up", `[0-2 "docker run -d \\\n  -p 80:80 \\\n  nginx"][3-3 "echo up"]`},
		{"ls |\n  wc -l", `[0-1 "ls |\n  wc -l"]`},
		{"echo 'unclosed\nmore\nlines", `[0-2 open "echo 'unclosed\nmore\nlines"]`},
		{"echo )\necho fine", `[0-0 "echo )"][1-1 "echo fine"]`},
		{"if true; then\n  echo )\nfi\necho z", `[0-1 "if true; then\n  echo )"][2-2 "fi"][3-3 "echo z"]`},
		{"x=1; for i in 1\ndo :; done", `[0-1 "x=1; for i in 1\ndo :; done"]`},
		{"", ``},
	} {
		if got := spans(SplitScript(strings.Split(tc.src, "\n"))); got != tc.want {
			t.Errorf("SplitScript(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

func TestSplitTranscript(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"$ nano .bashrc\n$ source .bashrc", `[0-0 "nano .bashrc"][1-1 "source .bashrc"]`},
		{"$ echo hi\nhi\n$ ls\na b", `[0-0 "echo hi"][2-2 "ls"]`},
		{"$ docker swarm join \\\n>     --token x \\\n>     10.0.0.1:2377\nThis node joined", `[0-2 "docker swarm join \\\n    --token x \\\n    10.0.0.1:2377"]`},
		{"$ cat <<EOF\n> a\n> EOF\na", `[0-2 "cat <<EOF\na\nEOF"]`},
		{"$ cat <<EOF\nraw body\nEOF\nout", `[0-2 "cat <<EOF\nraw body\nEOF"]`},
		{"$ for i in 1 2\n> do echo $i\n> done\n1\n2", `[0-2 "for i in 1 2\ndo echo $i\ndone"]`},
		{"$ echo it's\nit's", `[0-1 "echo it's\nit's"]`},
		{"$ echo it's\nthe end", `[0-1 "echo it's\nthe end"]`},
		{"$ for i in 1 2\n> do echo $i\n> done", `[0-2 "for i in 1 2\ndo echo $i\ndone"]`},
		{"$ echo 'a\n> b\nc'\nout", `[0-2 "echo 'a\nb\nc'"]`},
		{"$ echo hi\n> also\nhi", `[0-1 "echo hi\nalso"]`},
		{"$ echo )\n> more\n$ ok", `[0-1 "echo )\nmore"][2-2 "ok"]`},
		{"text\n$\n$   \n  $ indented", `[3-3 "indented"]`},
	} {
		if got := spans(SplitTranscript(strings.Split(tc.src, "\n"))); got != tc.want {
			t.Errorf("SplitTranscript(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

// The fast path for plain lines says only what the parser would say.
func TestPlainCommandIsComplete(t *testing.T) {
	for _, l := range []string{"cd soft", "ls -F *.txt", "git add notes.txt", "echo $HOME > out", "wc -l a#b # c", "x=1", "ünïcode wörds",
		"git commit -m \"Add notes\"", "echo 'it''s' \"a b\"x", "wc -l *.pdb | sort -n | head -n 1", "grep -w 'is not' haiku.txt # note"} {
		if !plainCommand(l) {
			t.Errorf("plainCommand(%q) = false", l)
		}
		if cmds := SplitScript([]string{l, "next"}); len(cmds) != 2 {
			t.Errorf("%q: %s", l, spans(cmds))
		}
	}
	for _, l := range []string{"for x in a", "if x", "echo 'a", "echo \"$x\"", "echo \"a\\\"b\"", "a |", "| a", "a || b", "a |& b", "a | if x", "a | b[0]=1", "cat <f", "echo a # \\", "f() {", "echo \\", "time ls", "! ls", "{ ls; }", "[[ x ]]", "echo $(x)", "a && b", "", "# c", "echo !x"} {
		if plainCommand(l) {
			t.Errorf("plainCommand(%q) = true", l)
		}
	}
}
