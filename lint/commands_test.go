package lint

import (
	"strings"
	"testing"
)

// The command checks read the step as bash does: a heredoc body is data,
// a program inside if/for/while/case, a function, a pipeline or $( ) runs,
// and a finding names the line of the program, not of the command's start.
func TestCommandsReadLikeBash(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"heredoc body is data", "# A\n```sh\ncat <<EOF\nless is more\nEOF\n```\n", ""},
		{"quoted heredoc body is data", "# A\n```sh\ncat > notes.txt <<'EOF'\nvim is an editor\nEOF\n```\n", ""},
		{"substitution in a heredoc runs", "# A\n```sh\ncat <<EOF\n$(nano x)\nEOF\n```\n", "interactive@4:error"},
		{"vim inside if", "# A\n```sh\nif true; then vim f; fi\n```\n", "interactive@3:error"},
		{"vim inside a loop, at its line", "# A\n```sh\nfor f in *.txt\ndo\n  vim $f\ndone\n```\n", "interactive@5:error"},
		{"pager in a pipeline", "# A\n```sh\ngit log | less\n```\n", "interactive@3:error"},
		{"editor through sudo -u", "# A\n```sh\nsudo -u bob nano f\n```\n", "sudo@3:warning interactive@3:error"},
		{"editor through env", "# A\n```sh\nenv TERM=xterm vim f\n```\n", "interactive@3:error"},
		{"editor through command", "# A\n```sh\ncommand nano f\n```\n", "interactive@3:error"},
		{"command -v only looks", "# A\n```sh\ncommand -v nano\n```\n", ""},
		{"editor name in a string", "# A\n```sh\necho \"nano f\"\n```\n", ""},
		{"editor in a comment", "# A\n```sh\nls # then nano f\n```\n", ""},
		{"read from a file in a loop", "# A\n```sh\nwhile read l; do echo $l; done < list.txt\n```\n", ""},
		{"git config --edit", "# A\n```sh\ngit config --global --edit\n```\n", "interactive@3:error"},
		{"placeholder is a word", "# A\n```sh\ndocker exec -it <container-id> bash\n```\n", "interactive@3:error"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range lintSrc(t, c.src) {
				got = append(got, f.Check+"@"+strings.TrimSpace(strings.Split(f.String(), ":")[1])+":"+string(f.Severity))
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Errorf("got %q, want %q", g, c.want)
			}
		})
	}
}
