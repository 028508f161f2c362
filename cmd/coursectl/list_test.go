package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/coursectl/coursectl/course"
)

// TestListJSONIndent: at a terminal --json is indented; piped it is one
// line; both are the same document, the one encoding/json would write.
func TestListJSONIndent(t *testing.T) {
	m, err := course.Load("../../testdata/module1.md")
	if err != nil {
		t.Fatal(err)
	}
	var compact, pretty bytes.Buffer
	if err := writeListJSON(&compact, m, false); err != nil {
		t.Fatal(err)
	}
	if err := writeListJSON(&pretty, m, true); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(compact.Bytes(), []byte("\n")) != 1 {
		t.Errorf("piped output is not one line:\n%s", compact.Bytes())
	}
	var want bytes.Buffer
	if err := json.Indent(&want, bytes.TrimSpace(compact.Bytes()), "", "  "); err != nil {
		t.Fatalf("compact output is not JSON: %v", err)
	}
	want.WriteByte('\n')
	if pretty.String() != want.String() {
		t.Errorf("indented output differs from json.Indent of the compact one:\n%s\nwant\n%s", pretty.String(), want.String())
	}
	var doc listJSON
	if err := json.Unmarshal(compact.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "coursectl/v1" {
		t.Errorf("schema %q, want coursectl/v1", doc.Schema)
	}
	if len(doc.Steps) != 9 || doc.Steps[6].ID != "4-install-docker-compose-4" || len(doc.Steps[6].Commands) != 2 {
		t.Errorf("unexpected document: %+v", doc.Steps)
	}
}
