package shellsyntax

import (
	"fmt"
	"strings"
	"testing"
)

// show is a call as one line: line, wrappers, name, args (non-static ones
// marked ~), and its input and shell.
func show(c Call) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", c.Line)
	for _, w := range c.Wrappers {
		b.WriteString(w + ">")
	}
	b.WriteString(c.Name)
	for _, a := range c.Args {
		b.WriteString(" " + a.Text)
		if !a.Static {
			b.WriteString("~")
		}
	}
	for _, f := range []struct {
		on   bool
		mark string
	}{{c.Piped, "piped"}, {c.Redirected, "redirected"}, {c.Background, "bg"}, {c.Subshell, "sub"}} {
		if f.on {
			b.WriteString(" [" + f.mark + "]")
		}
	}
	return b.String()
}

func TestCalls(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"ls -F", []string{"1:ls -F"}},
		{"if true; then vim f; fi", []string{"1:true", "1:vim f"}},
		{"cat <<EOF\nless is more\nEOF", []string{"1:cat [redirected]"}},
		{"cat <<EOF\n$(nano x)\nEOF", []string{"1:cat [redirected]", "2:nano x [sub]"}},
		{"cat <<'EOF'\n$(nano x)\nEOF", []string{"1:cat [redirected]"}},
		{"echo \"nano f\" 'vim g'", []string{"1:echo nano f vim g"}},
		{"# vim f\necho x # less", []string{"2:echo x"}},
		{"x=$(read -p 'name? ' n; echo $n)", []string{"1:read -p name?  n [sub]", "1:echo $n~ [sub]"}},
		{"git log | less", []string{"1:git log [sub]", "1:less [piped] [sub]"}},
		{"a | b | c", []string{"1:a [sub]", "1:b [piped] [sub]", "1:c [piped] [sub]"}},
		{"sudo -u x nano f", []string{"1:sudo>nano f"}},
		{"sudo -s", []string{"1:sudo -s"}},
		{"sudo DEBUG=1 -E apt install -y x", []string{"1:sudo>apt install -y x"}},
		{"env X=1 vim f", []string{"1:env>vim f"}},
		{"X=1 vim f", []string{"1:vim f"}},
		{"command nano f", []string{"1:command>nano f"}},
		{"command -v nano", []string{"1:command -v nano"}},
		{"exec >log 2>&1", []string{"1:exec"}},
		{"exec sleep 30", []string{"1:exec>sleep 30"}},
		{"time nohup python3 x.py &", []string{"1:nohup>python3 x.py [bg] [sub]"}},
		{"/usr/bin/time -v make", []string{"1:time>make"}},
		{"builtin set -o pipefail", []string{"1:builtin>set -o pipefail"}},
		{"/usr/bin/vim ~/.bashrc", []string{"1:vim ~/.bashrc~"}},
		{"$EDITOR \"$HOME/notes.txt\"", []string{"1:$EDITOR $HOME/notes.txt~"}},
		{"echo a\\ b \"q\\\"x\" *.txt {a,b} $((1+2))", []string{"1:echo a b q\"x *.txt~ {a,b}~ $((1+2))~"}},
		{"while read l; do echo $l; done < f", []string{"1:read l [redirected]", "1:echo $l~ [redirected]"}},
		{"f() {\n  vim \"$1\"\n}", []string{"2:vim $1~"}},
		{"(cd dir; nano f)", []string{"1:cd dir [sub]", "1:nano f [sub]"}},
		{"export A=$(nano f) B", []string{"1:export A=$(nano f)~ B", "1:nano f [sub]"}},
		{"case $x in\n  y) top ;;\nesac", []string{"2:top"}},
		{"select x in a b; do echo $x; done", []string{"1:select a b", "1:echo $x~"}},
		{"[[ $(whoami) == root ]] && passwd", []string{"1:whoami [sub]", "1:passwd"}},
		{"docker exec -it <mysql-container-id> mysql -p", []string{"1:docker exec -it <mysql-container-id> mysql -p"}},
		{"git push <remote> <branch>", []string{"1:git push <remote> <branch>"}},
		{"sort <in >out", []string{"1:sort [redirected]"}},
		{"echo )\nvim f", []string{"2:vim f"}},
		{"echo 'unclosed", nil},
		{"X=1", nil},
	} {
		var got []string
		for _, c := range Calls(tc.src) {
			got = append(got, show(c))
		}
		if strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
			t.Errorf("Calls(%q)\n got %q\nwant %q", tc.src, got, tc.want)
		}
	}
}

// The fast reading of plain lines gives what the parser gives, on every
// line of the corpus and on lines made to probe it.
func TestPlainCallAgrees(t *testing.T) {
	lines := []string{"ls -F", "X=1 vim f", "a+=1 ls", "x=1", "sudo -u bob nano /etc/hosts", "ls *.txt ~/x a~b", "echo a#b #c",
		"env A=1 B=2 top -b", "cd", "a=1 if", "nohup time python3 x.py", "echo ]] [ x ]", "ünï ç"}
	for _, b := range seedTexts(t) {
		for _, l := range strings.Split(b, "\n") {
			lines = append(lines, l)
			if p, ok := PromptText(l); ok {
				lines = append(lines, p)
			}
		}
	}
	n := 0
	for _, l := range lines {
		if _, ok := plainCall(l); !ok {
			continue
		}
		n++
		fast, slow := fmt.Sprintf("%+v", Calls(l)), fmt.Sprintf("%+v", parseCalls(l))
		if fast != slow {
			t.Errorf("%q: plain reading\n%s\nparser\n%s", l, fast, slow)
		}
	}
	if n < 100 {
		t.Errorf("only %d plain lines: the fast path is not taken", n)
	}
}

// A word is also given as written, for putting back in a command; a call
// counts its own redirections.
func TestRawWordsAndRedirections(t *testing.T) {
	cs := Calls("nano \"my notes.txt\" ~/x '$y' >log 2>&1")
	if len(cs) != 1 {
		t.Fatalf("%d calls", len(cs))
	}
	var raw, text []string
	for _, a := range cs[0].Args {
		raw, text = append(raw, a.Raw), append(text, a.Text)
	}
	if got, want := strings.Join(raw, " "), "\"my notes.txt\" ~/x '$y'"; got != want {
		t.Errorf("raw %q, want %q", got, want)
	}
	if got, want := strings.Join(text, " "), "my notes.txt ~/x $y"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if cs[0].Redirections != 2 {
		t.Errorf("%d redirections, want 2", cs[0].Redirections)
	}
	if c := Calls("docker exec -it <id> sh"); c[0].Args[2].Raw != "<id>" {
		t.Errorf("placeholder raw %q", c[0].Args[2].Raw)
	}
}

func TestSimple(t *testing.T) {
	for src, want := range map[string]bool{
		"nano notes.txt":               true,
		"EDITOR=x nano f":              true,
		"$EDITOR \"my file\"":          true,
		"nano f > /dev/null":           true,
		"cd x; nano f":                 false,
		"cd x && nano f":               false,
		"nano f | cat":                 false,
		"nano f &":                     false,
		"! nano f":                     false,
		"nano $(ls *.txt)":             false,
		"for f in *; do nano $f; done": false,
		"(nano f)":                     false,
		"nano f\nls":                   false,
		"echo )":                       false,
		"X=1":                          false,
		"":                             false,
	} {
		if _, got := Simple(src); got != want {
			t.Errorf("Simple(%q) = %v, want %v", src, got, want)
		}
	}
}
