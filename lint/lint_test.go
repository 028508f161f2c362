package lint

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/coursectl/coursectl/course"
)

func TestFixMojibake(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ðŸ“‹ Module", "📋 Module"},
		{"the modelâ€”and", "the model—and"},
		{"doesnâ€™t", "doesn’t"},
		{"âš™ Setup", "⚙ Setup"},
		{"cafÃ©", "café"},
		{"plain café, niño, Ñandú, façade", "plain café, niño, Ñandú, façade"},
		{"cafécafÃ©", "cafécafé"},
		{"â€œquotedâ€\u009d", "“quoted”"},
		{"ascii only", "ascii only"},
		{"© 2024 — ok", "© 2024 — ok"},
		{"line1\nâ€” on line 2", "line1\n— on line 2"},
		// Saved through cp1252 twice: one fix repairs both.
		{"cafÃƒÂ© and Ã¢â‚¬â€\u009d", "café and —"},
	}
	for _, c := range cases {
		got, _ := FixMojibake([]byte(c.in))
		if string(got) != c.want {
			t.Errorf("FixMojibake(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	_, fixes := FixMojibake([]byte("ok\nâ€” and ðŸ“‹\n"))
	if len(fixes) != 2 || fixes[0].Line != 2 || fixes[1].Line != 2 || fixes[1].Fix != "📋" {
		t.Errorf("fixes = %+v", fixes)
	}
}

func TestInteractive(t *testing.T) {
	cases := map[string]bool{
		"nano .bashrc":                       true,
		"sudo nano /etc/hosts":               true,
		"EDITOR=vim vim x":                   true,
		"vi":                                 true,
		"cat file | less":                    true,
		"man ls":                             true,
		"top":                                true,
		"top -b -n 1":                        false,
		"read name":                          true,
		"read -r line < file":                false,
		"echo x | read y":                    false,
		"docker run -it ubuntu bash":         true,
		"docker run -ti ubuntu":              true,
		"docker run -i -t ubuntu":            true,
		"docker run -dit ubuntu":             false,
		"docker run -d -p 80:80 nginx":       false,
		"docker exec -it <container-id> sh":  true,
		"docker run --rm hello-world":        false,
		"git commit":                         true,
		"git commit -m 'msg'":                false,
		"git commit -am msg":                 false, // -a -m
		"git commit --amend --no-edit":       false,
		"git rebase -i HEAD~3":               true,
		"git add -p":                         true,
		"aws configure":                      true,
		"aws configure set region eu-west-1": false,
		"ssh user@host":                      true,
		"ssh -i key.pem user@host":           true,
		"ssh user@host uptime":               false,
		"ssh -p 2222 host 'ls -l'":           false,
		"python3":                            true,
		"python3 script.py":                  false,
		"mysql -u root -p":                   true,
		"psql -c 'select 1'":                 false,
		"bash":                               true, // a new shell waits for commands
		"bash script.sh":                     false,
		"kubectl exec -it pod -- sh":         true,
		"echo nano":                          false,
		"ls && vim x":                        true,
		"(cd dir; nano f)":                   true,
		"x=$(read -p 'name? ' n; echo $n)":   true,
		"echo 'less is more'":                false,
		"sudo -s":                            true,
		"su -c 'make install'":               false,
	}
	for cmd, want := range cases {
		got := ""
		for _, sc := range splitCommands(cmd) {
			if r := interactiveReason(sc); r != "" {
				got = r
			}
		}
		if (got != "") != want {
			t.Errorf("%q: interactive = %q, want %v", cmd, got, want)
		}
	}
}

func TestServer(t *testing.T) {
	cases := map[string]bool{
		"python3 -m http.server 8000":   true,
		"python3 -m http.server 8000 &": false,
		"flask run":                     true,
		"npm start":                     true,
		"npm run dev":                   true,
		"npm run build":                 false,
		"docker compose up":             true,
		"docker compose up -d":          false,
		"docker-compose up --detach":    false,
		"docker run -p 80:80 nginx":     true,
		"docker run -dp 3000:3000 app":  false,
		"tail -f log":                   true,
		"tail -n 5 log":                 false,
		"ping example.com":              true,
		"ping -c 1 example.com":         false,
		"mlflow ui":                     true,
		"jupyter notebook":              true,
		"kubectl port-forward svc/x 80": true,
	}
	for cmd, want := range cases {
		got := ""
		for _, sc := range splitCommands(cmd) {
			if r := serverReason(sc); r != "" {
				got = r
			}
		}
		if (got != "") != want {
			t.Errorf("%q: server = %q, want %v", cmd, got, want)
		}
	}
}

func lintSrc(t *testing.T, src string) []Finding {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "m.md")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := course.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return Module(m)
}

func TestModuleChecks(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"clean", "# A\n\n```sh\necho hi\n```\n", ""},
		{"faked program is fine", "---\ncoursectl:\n  fakes:\n    nano: 'true'\n    sudo: '\"$@\"'\n---\n# A\n```sh\nsudo nano x\n```\n", ""},
		{"interactive attr silences", "# A\n```sh {interactive}\nnano x\n```\n", ""},
		{"interact list silences", "# A\n<!-- coursectl\ninteract:\n  - expect: 'x'\n    send: \"y\\n\"\n-->\n```sh\nread a\n```\n", ""},
		{"skip silences", "# A\n```sh {skip}\nvim x\n```\n", ""},
		{"background silences server", "# A\n```sh {background ready=up}\nnpm start\n```\n", ""},
		{"untagged console", "# A\n```\n$ ls\nfile\n```\n", "untagged-shell@2:warning"},
		{"untagged prose not shell", "# A\n```\nHello world\n```\n", ""},
		{"mixed prompts", "# A\n```sh\n$ ls\nfile.txt\n```\n", "mixed-prompts@4:warning"},
		{"comments in prompted are fine", "# A\n```sh\n# list\n$ ls\n```\n", ""},
		{"unknown foreign attr is fine", "# A\n```sh {\"name\":\"x\",\"closeTerminalOnSuccess\":false}\nls\n```\n", ""},
		{"unknown attr", "# A\n```sh {bakground}\nls\n```\n", "unknown-attr@2:warning"},
		{"anchor and url links are not checked", "# A\n[a](#a) [b](https://x.y/z) [c](/abs) [d](mailto:a@b)\n", ""},
		{"unterminated", "# A\n```sh\nls\n", "unterminated@2:error"},
		{"host prompt", "# A\n```bash\nhost-A $ ls\n```\n", "host-prompt@3:warning"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := lintSrc(t, c.src)
			var got []string
			for _, f := range fs {
				got = append(got, f.Check+"@"+strings.TrimSpace(strings.Split(f.String(), ":")[1])+":"+string(f.Severity))
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Errorf("got %q, want %q\n%v", g, c.want, fs)
			}
		})
	}
}

func TestBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "img"), 0o755)
	os.WriteFile(filepath.Join(dir, "img", "ok.png"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "other page.md"), nil, 0o644)
	src := "# A\n\n![ok](img/ok.png)\n[ok](other%20page.md#sec)\n\n![bad](img/nope.png)\n\nText [bad][ref].\n\n[ref]: missing.md\n"
	p := filepath.Join(dir, "m.md")
	os.WriteFile(p, []byte(src), 0o644)
	m, err := course.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Module(m) {
		got = append(got, f.String()[len(dir)+1:])
	}
	want := []string{
		"m.md:6: error: broken image: img/nope.png does not exist — fix the path (it is relative to the module's directory) or add the file",
		"m.md:8: error: broken link: missing.md does not exist — fix the path (it is relative to the module's directory) or add the file",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiff(t *testing.T) {
	before := "1\n2\n3\n4\nâ€”\n6\n7\n8\n9\n10\n11\n12\nâ€”"
	after, _ := FixMojibake([]byte(before))
	got := Diff("f.md", []byte(before), after)
	want := "diff a/f.md b/f.md\n--- a/f.md\n+++ b/f.md\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-â€”\n+—\n 6\n 7\n 8\n@@ -10,4 +10,4 @@\n 10\n 11\n 12\n-â€”\n\\ No newline at end of file\n+—\n\\ No newline at end of file\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A lone CR ends a line in the diff as in the findings.
	cr := "1\r2\r3\râ€”\r5\r"
	fixed, _ := FixMojibake([]byte(cr))
	if got := Diff("f.md", []byte(cr), fixed); !strings.Contains(got, "@@ -1,5 +1,5 @@\n 1\n 2\n 3\n-â€”\n+—\n 5\n") {
		t.Errorf("lone CR diff:\n%s", got)
	}
	if Diff("f.md", []byte("same\n"), []byte("same\n")) != "" {
		t.Error("no change should give no diff")
	}
}

// Module settings are checked like attributes: a typo'd key under
// `coursectl:` or in coursectl.yaml is reported where it was written —
// in coursectl.yaml's case as coursectl.yaml:LINE, not the module.
func TestSettingsFindings(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m.md")
	src := "---\ntitle: M\ncoursectl:\n  timout: 5m\n  env:\n    A: b\n---\n# M\n```sh\nls\n```\n"
	side := "m.md:\n  fakse:\n    wget: 'true'\n  steps:\n    nosuch:\n      skip: true\nother.md:\n  whatever: 1\n"
	if err := os.WriteFile(mod, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "coursectl.yaml"), []byte(side), 0o644); err != nil {
		t.Fatal(err)
	}
	// other.md is there: an entry naming no file beside it is refused.
	if err := os.WriteFile(filepath.Join(dir, "other.md"), []byte("# O\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := course.Load(mod)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Module(m) {
		got = append(got, strings.TrimPrefix(f.String(), dir+string(filepath.Separator)))
	}
	want := []string{
		`m.md:4: error: unknown setting "timout" under coursectl: — did you mean timeout?`,
		`coursectl.yaml:2: error: unknown setting "fakse" for m.md — did you mean fakes?`,
		`coursectl.yaml:5: error: steps: "nosuch" is not a step of this module — run coursectl list for the ids`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A sections: or divs: rule that reaches no step is a warning at its line:
// a renamed heading or a mistyped class would otherwise change nothing,
// silently. A course's rule counts when it reaches a step of any module.
func TestUnusedRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "# A\n\n## Exercise 1\n\n```sh\necho hi\n```\n\n::: challenge\n\n```sh\necho c\n```\n\n:::\n")
	write("b.md", "# B\n\n## Setup\n\n```sh\necho b\n```\n")
	write("coursectl.yaml", "course:\n  modules: [a.md, b.md]\n  sections:\n    setup: {timeout: 1m}\n    nowhere: {skip: true}\n"+
		"a.md:\n  sections:\n    \"exercise*\": {skip: true}\n    \"Ex 2\": {skip: true}\n  divs:\n    challenge: {skip: true}\n    solutoin: {skip: true}\n")
	c, err := course.LoadCourse(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range c.Modules {
		for _, f := range Module(m) {
			if f.Check == course.ProblemUnusedRule {
				got = append(got, strings.TrimPrefix(f.String(), dir+string(filepath.Separator)))
			}
		}
	}
	want := []string{
		`coursectl.yaml:5: warning: sections: "nowhere" reaches no step: no step is under a heading that matches it — check the heading's words (case is ignored; * and ? are wildcards)`,
		`coursectl.yaml:9: warning: sections: "Ex 2" reaches no step: no step is under a heading that matches it — check the heading's words (case is ignored; * and ? are wildcards)`,
		`coursectl.yaml:12: warning: divs: "solutoin" reaches no step: no step is inside a ::: div of that class — check the class as the page writes it`,
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// In the container sandbox sudo really runs: no warning to fake it.
func TestSudoInTheContainerIsNoWarning(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m.md")
	if err := os.WriteFile(mod, []byte("# M\n\n```sh\nsudo apt-get install -y cowsay\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sudo := func(m *course.Module) bool {
		for _, f := range Module(m) {
			if f.Check == CheckSudo {
				return true
			}
		}
		return false
	}
	m, err := course.Load(mod)
	if err != nil {
		t.Fatal(err)
	}
	if !sudo(m) {
		t.Error("sudo in the dir sandbox: no warning")
	}
	m.ForSandbox("docker")
	if sudo(m) {
		t.Error("sudo in the container sandbox: warned")
	}
	if err := os.WriteFile(filepath.Join(dir, "coursectl.yaml"), []byte("m.md:\n  sandbox: docker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err = course.Load(mod); err != nil || sudo(m) {
		t.Errorf("sandbox: docker in the yaml: warned (err %v)", err)
	}
}
