package course

import (
	"strings"
	"testing"
)

// A `:::` line that goldmark reads as setext heading text (a rule or `===`
// follows it) is still a div's fence: the div closes there, and its
// settings stop at it.
func TestDivFenceBeforeASetextUnderline(t *testing.T) {
	front := "---\ncoursectl:\n  divs:\n    challenge: {skip: true}\n---\n"
	cases := []struct {
		name, page string
		ids        string // the steps' ids, a "!" after a skipped one
	}{
		{"closer then ===", "::: challenge\n\n```sh\necho hi\n```\n\n:::\n===\n\n```sh\ntrue\n```\n", "step! step-2"},
		{"closer then ---", "::: challenge\n\n```sh\necho hi\n```\n\n:::\n---\n\n```sh\ntrue\n```\n", "step! step-2"},
		{"opener in a heading's lines", "Heading like\n::: challenge\n===\n\n```sh\ntrue\n```\n\n:::\n\n```sh\ntrue\n```\n", "heading-like! heading-like-2"},
		{"opener, text, closer, rule", "::: challenge\ntext\n:::\n---\n\n```sh\ntrue\n```\n", "text"},
		{"an ATX heading's text is text", "# ::: challenge\n\n```sh\ntrue\n```\n", "-challenge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse("page.md", []byte(front+c.page))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, st := range m.Steps {
				id := st.ID
				if st.Attrs.Skip {
					id += "!"
				}
				got = append(got, id)
			}
			if strings.Join(got, " ") != c.ids {
				t.Errorf("steps %q, want %q", strings.Join(got, " "), c.ids)
			}
		})
	}
}

func TestDivFence(t *testing.T) {
	for line, want := range map[string]string{
		"::: challenge":                "challenge",
		":::::::::::::::: callout":     "callout",
		"::: {.challenge}":             "challenge",
		"::: {#ex1 .challenge .wide}":  "challenge",
		`::: {.callout title="a b"}`:   "callout",
		"::: {#only}":                  "div",
		"::: challenge :::":            "challenge",
		":::challenge":                 "challenge",
		":::":                          "",
		"  ::::::::::::::::::::::::  ": "",
	} {
		got, ok := DivFence([]byte(line))
		if !ok || got != want {
			t.Errorf("DivFence(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
	for _, line := range []string{"::", "text ::: x", "", "- :::"} {
		if _, ok := DivFence([]byte(line)); ok {
			t.Errorf("DivFence(%q) is a fence", line)
		}
	}
}
