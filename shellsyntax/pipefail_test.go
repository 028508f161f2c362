package shellsyntax

import "testing"

func TestPipefail(t *testing.T) {
	type want struct{ on, set bool }
	on, off, none := want{true, true}, want{false, true}, want{}
	for src, w := range map[string]want{
		"set -o pipefail\n":                       on,
		"set -euo pipefail\n":                     on,
		"set -e -o pipefail -u\n":                 on,
		"builtin set -o pipefail\n":               on,
		"shopt -so pipefail\n":                    on,
		"shopt -s -o pipefail\n":                  on,
		"shopt -uo pipefail\n":                    off,
		"set -o pipefail\nset +o pipefail\n":      off,
		"set +euo pipefail\n":                     off,
		"cd x && set -o pipefail\n":               on,
		"if true; then set -o pipefail; fi\n":     on,
		"f() { set -o pipefail; }\n":              on,
		"set -e\n":                                none,
		"set -- -o pipefail\n":                    none,
		"echo set -o pipefail\n":                  none,
		"# set -o pipefail\n":                     none,
		"set -o pipefail\necho set +o pipefail\n": on,
		"x=1\n  set -o pipefail\n":                on,
		"shopt -s extglob\n":                      none,
		"(set -o pipefail)\n":                     none,
		"x=$(set -o pipefail)\n":                  none,
		"cat <<EOF\nset -o pipefail\nEOF\n":       none,
		"echo 'set -o pipefail'\n":                none,
	} {
		if gotOn, gotSet := Pipefail(src); (want{gotOn, gotSet}) != w {
			t.Errorf("Pipefail(%q) = %v, %v; want %+v", src, gotOn, gotSet, w)
		}
	}
}
