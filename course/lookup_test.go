package course

import (
	"strings"
	"testing"
)

func TestLookupByIDNumberOrPrefix(t *testing.T) {
	m, err := Load("../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, want, err string }{
		{ref: "3-install-docker", want: "3-install-docker"},
		{ref: "3", want: "3-install-docker"},                        // the number, not the prefix of 3-…
		{ref: "9", want: "5-run-docker"},                            // the last of nine
		{ref: "optional", want: "optional-run-docker-without-sudo"}, // a unique prefix
		{ref: "5-run", want: "5-run-docker"},
		{ref: "install-docker", err: `no step "install-docker" — did you mean 3-install-docker or 4-install-docker-compose or 4-install-docker-compose-2?`},
		{ref: "4-install", err: `step "4-install" is the start of 4 ids (4-install-docker-compose, 4-install-docker-compose-2, 4-install-docker-compose-3, 4-install-docker-compose-4)`},
		{ref: "12", err: "no step 12: the steps are numbered 1 to 9"},
		{ref: "2-update-existing-pakages", err: "did you mean 2-update-existing-packages?"},
		{ref: "zzz", err: `no step "zzz"`},
	} {
		s, err := m.Lookup(tc.ref)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Lookup(%q): error %v, want one with %q", tc.ref, err, tc.err)
		case tc.err == "" && (err != nil || s.ID != tc.want):
			t.Errorf("Lookup(%q) = %v, %v; want %s", tc.ref, s, err, tc.want)
		}
	}
}
