package shellsyntax

import (
	"testing"
)

func waits(src string) string {
	for _, c := range Calls(src) {
		if why := WaitsForKeys(c); why != "" {
			return why
		}
	}
	return ""
}

func TestWaitsForKeys(t *testing.T) {
	for src, want := range map[string]string{
		"nano .bashrc":                    "nano is an editor that waits for keystrokes",
		"sudo nano /etc/hosts":            "nano is an editor that waits for keystrokes",
		"sudo -u x nano f":                "nano is an editor that waits for keystrokes",
		"env X=1 vim f":                   "vim is an editor that waits for keystrokes",
		"command nano f":                  "nano is an editor that waits for keystrokes",
		"if true; then vim f; fi":         "vim is an editor that waits for keystrokes",
		"for f in *; do\n  vi $f\ndone":   "vi is an editor that waits for keystrokes",
		"x=$(nano f)":                     "nano is an editor that waits for keystrokes",
		"git log | less":                  "less is a pager that waits for keystrokes",
		"man ls":                          "man opens a pager that waits for keystrokes",
		"top":                             "top runs until someone presses q",
		"read -p 'name? ' n":              "read waits for a line typed at the keyboard",
		"select x in a b; do break; done": "select waits for a choice typed at the keyboard",
		"sudo -s":                         "sudo -s/-i opens a shell that waits for commands",
		"su":                              "su opens a shell and asks for a password",
		"docker run -it ubuntu bash":      "docker run -it attaches the keyboard to the container",
		"docker attach web":               "docker attach connects the keyboard to a container",
		"kubectl exec -it pod -- sh":      "kubectl exec -it attaches the keyboard",
		"git commit":                      "git commit without -m opens an editor for the message",
		"git rebase -i HEAD~3":            "git rebase -i opens an editor",
		"git add -p":                      "git add -p asks about every hunk",
		"git config --global --edit":      "git config --edit opens an editor",
		"git config -e":                   "git config --edit opens an editor",
		"aws configure":                   "aws configure asks for keys at the keyboard",
		"ssh user@host":                   "ssh with no command opens a remote shell",
		"python3":                         "python3 with no script starts an interactive prompt",
		"bash":                            "bash with no script starts a new interactive shell",
		"mysql -u root -p":                "mysql -p asks for a password and opens a prompt",
		"psql":                            "psql without a query opens an interactive prompt",
		"docker exec -it <mysql-container-id> mysql -p": "docker exec -it attaches the keyboard to the container",

		"cat <<EOF\nless is more\nEOF":       "",
		"echo 'less is more'":                "",
		"echo \"nano f\"":                    "",
		"# nano f":                           "",
		"echo nano":                          "",
		"command -v nano":                    "",
		"emacs --batch -l x.el":              "",
		"top -b -n 1":                        "",
		"read l < f":                         "",
		"read -t 5 l":                        "",
		"echo y | read l":                    "",
		"while read l; do echo $l; done < f": "",
		"git commit -m msg":                  "",
		"git commit -am msg":                 "",
		"git commit --amend --no-edit":       "",
		"git config --global user.name x":    "",
		"docker run -d -it ubuntu":           "",
		"ssh host uptime":                    "",
		"python3 script.py":                  "",
		"echo 'select 1' | psql":             "",
		"sudo -i apt update":                 "",
	} {
		if got := waits(src); got != want {
			t.Errorf("%q: %q, want %q", src, got, want)
		}
	}
}

func TestEditorTarget(t *testing.T) {
	for _, tc := range []struct {
		src, editor, file string
		static, ok        bool
	}{
		{"nano notes.txt", "nano", "notes.txt", true, true},
		{"nano -w notes.txt", "nano", "notes.txt", true, true},
		{"nano -T 4 notes.txt", "nano", "notes.txt", true, true},
		{"vim +10 middle.sh", "vim", "middle.sh", true, true},
		{"vim -c 'set nu' -- -odd", "vim", "-odd", true, true},
		{"sudo nano /etc/hosts", "nano", "/etc/hosts", true, true},
		{"nano ~/.bashrc", "nano", "~/.bashrc", false, true},
		{"emacs -nw f.txt", "emacs", "f.txt", true, true},
		{"code --wait app.py", "code", "app.py", true, true},
		{"gedit notes.txt &", "gedit", "notes.txt", true, true},
		{"pico x", "pico", "x", true, true},
		{"nvim x", "nvim", "x", true, true},
		{"vi x", "vi", "x", true, true},
		{"$EDITOR notes.txt", "$EDITOR", "notes.txt", true, true},
		{"\"${EDITOR}\" \"$f\"", "${EDITOR}", "$f", false, true},
		{"${VISUAL:-vi} x", "${VISUAL:-vi}", "x", true, true},
		{"\"${EDITOR:-/usr/bin/nano}\" x", "${EDITOR:-/usr/bin/nano}", "x", true, true},
		{"nano", "nano", "", false, false},
		{"vim a.txt b.txt", "vim", "", false, false},
		{"nano \"my notes.txt\"", "nano", "my notes.txt", true, true},
		{"vim -R", "vim", "", false, false},
		{"code .", "code", "", false, false},
		{"vim --version", "", "", false, false},
		{"emacs --batch -l x.el", "", "", false, false},
		{"cat notes.txt", "", "", false, false},
		{"echo nano notes.txt", "", "", false, false},
	} {
		var editor string
		var file Word
		var ok bool
		if tc.editor != "" && !MayOpenEditor(tc.src) {
			t.Errorf("MayOpenEditor(%q) = false", tc.src)
		}
		for _, c := range Calls(tc.src) {
			if editor, file, ok = EditorTarget(c); editor != "" {
				break
			}
		}
		if editor != tc.editor || file.Text != tc.file || ok != tc.ok || (ok && file.Static != tc.static) {
			t.Errorf("EditorTarget(%q) = %q, %+v, %v; want %q, %q (static %v), %v", tc.src, editor, file, ok, tc.editor, tc.file, tc.static, tc.ok)
		}
	}
}

func TestFlags(t *testing.T) {
	if !HasFlag([]string{"-mmsg"}, "-m") || !HasFlag([]string{"--message=x"}, "--message") || HasFlag([]string{"--", "-m"}, "-m") {
		t.Error("HasFlag")
	}
	if f := ShortFlags([]string{"-dit", "--tty"}, "it"); !f['i'] || !f['t'] || f['d'] {
		t.Errorf("ShortFlags: %v", f)
	}
	if p := Positional([]string{"-i", "key", "-v", "host", "ls"}, "i"); len(p) != 2 || p[0] != "host" {
		t.Errorf("Positional: %v", p)
	}
}

func TestMayOpenEditorSaysNoQuickly(t *testing.T) {
	for _, src := range []string{"ls -F", "cat services.txt", "cd ~/video", "echo environment", "nanotime"} {
		if MayOpenEditor(src) {
			t.Errorf("MayOpenEditor(%q) = true", src)
		}
	}
}
