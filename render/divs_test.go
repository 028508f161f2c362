package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A Carpentries page's fenced divs, as its episodes write them: fences of
// any length, a fence right under a line of text, nested divs, an
// instructor's note, a solution headed "## Solution".
const divPage = `# Episode

:::::::::::::::::::::::::::::::::::::::: questions
- How do I list files?
::::::::::::::::::::::::::::::::::::::::::::::::::

::::::::::::::::::::::::::::::::::::::::: instructor
Open a file explorer beside the terminal.
::::::::::::::::::::::::::::::::::::::::::::::::::

Some prose.

::::::::::::::::::::::::::::::::::::::: challenge

## Listing in order

Which comes last?

::::::::::::::: solution

## Solution

The newest.

:::::::::::::::::::::::::
::::::::::::::::::::::::::::::::::::::::::::::::::

After the challenge.
`

func TestDivsInTheTerminal(t *testing.T) {
	got := Terminal{Width: 60}.Prose(proseModule(t, divPage), 0)
	if strings.Contains(got, ":::") {
		t.Errorf("a fence line is shown:\n%s", got)
	}
	if strings.Contains(got, "file explorer") || strings.Contains(got, "Instructor") {
		t.Errorf("the instructor's note is shown to the learner:\n%s", got)
	}
	for _, want := range []string{
		"  ▌ Questions\n  ▌\n  ▌ • How do I list files?\n\n  Some prose.",
		"  ▌ Challenge\n  ▌\n  ▌ Listing in order\n  ▌\n  ▌ Which comes last?\n",
		// The solution's own heading is its label: "Solution" once.
		"  ▌ ▌ Solution\n  ▌ ▌\n  ▌ ▌ The newest.\n\n  After the challenge.\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing\n%s\nin\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Solution"); n != 1 {
		t.Errorf("Solution %d times:\n%s", n, got)
	}
}

func TestDivsOnThePage(t *testing.T) {
	page, err := HTML(proseModule(t, divPage), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := string(page)
	body = body[strings.Index(body, `<article class="prose">`):]
	if strings.Contains(body, ":::") {
		t.Errorf("a fence line is on the page:\n%s", body)
	}
	order := []string{
		`<div class="div div-questions"><p class="div-title">Questions</p>`, "How do I list files?", "</div>",
		`<details class="div div-instructor"><summary>Instructor</summary>`, "file explorer", "</details>",
		"Some prose.",
		`<div class="div div-challenge"><p class="div-title">Challenge</p>`, "Which comes last?",
		`<details class="div div-solution"><summary>Solution</summary>`, "The newest.", "</details>", "</div>",
		"After the challenge.",
	}
	at := 0
	for _, s := range order {
		i := strings.Index(body[at:], s)
		if i < 0 {
			t.Fatalf("%q missing after byte %d of\n%s", s, at, body)
		}
		at += i + len(s)
	}
}

// Fences anywhere — in lists, quotes, under setext underlines, unbalanced —
// never break the page: no panic, and a div the page opens it closes.
func FuzzDivs(f *testing.F) {
	for _, s := range []string{divPage, "- a\n:::\n- b\n", "::: x\n---\n", "> ::: note\n> text\n:::\n", "1. a\n   ::: b\n   c\n:::::\n", ":::\n:::\n::: {.callout}\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !utf8.ValidString(src) || strings.ContainsRune(src, 0) {
			return // not a module: the parser refuses it
		}
		mod := proseModule(t, src)
		_ = Terminal{Width: 40}.Prose(mod, 0)
		page, err := HTML(mod, nil)
		if err != nil {
			return
		}
		body := string(page)
		if open, shut := strings.Count(body, `<details class="div`), strings.Count(body, "</details>"); open != shut {
			t.Errorf("%d <details> opened, %d closed", open, shut)
		}
	})
}

// A fence right under a list item is CommonMark's lazy continuation of the
// item and Pandoc's div: the div, and what follows it, come after the list,
// in order, closed where the lesson closes it.
func TestDivUnderAListItem(t *testing.T) {
	for _, src := range []string{
		"# L\n\n- item one\n::: callout\nUnder.\n:::\nTail after.\n",
		"# L\n\n- item one\n::: callout\nUnder.\n:::\n\nTail after.\n\n## Next\n\nMore.\n",
	} {
		got := Terminal{Width: 60}.Prose(proseModule(t, src), 0)
		if want := "  • item one\n\n  ▌ Callout\n  ▌\n  ▌ Under.\n\n  Tail after.\n"; !strings.Contains(got, want) {
			t.Errorf("%q:\ngot\n%s\nwant\n%s", src, got, want)
		}
		page, err := HTML(proseModule(t, src), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := "<p>Under.</p>\n</div>\n<p>Tail after.</p>"; !strings.Contains(string(page), want) {
			t.Errorf("%q: the page has no %q", src, want)
		}
	}
}
