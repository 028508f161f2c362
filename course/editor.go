package course

import (
	"path"
	"strings"

	"github.com/coursectl/coursectl/shellsyntax"
)

// Editor steps (docs/spec.md §7): a command that opens an editor on a file, and
// the fence after it that shows the file's new content.

// EditorTarget reports whether command opens an editor on one file, with
// the editor as written and the file as a shell word (quotes kept). Only a
// plain command qualifies: `nano notes.txt`, `vim +3 notes.txt`,
// `$EDITOR "my file"`, `EDITOR=x nano f`; a list, pipeline, redirection,
// substitution or wrapper (`sudo nano`) is not an edit (its other parts
// would have to run too). The reading is bash's (shellsyntax).
func EditorTarget(command string) (editor, file string, ok bool) {
	if !shellsyntax.MayOpenEditor(command) {
		return "", "", false
	}
	c, ok := shellsyntax.Simple(command)
	if !ok || c.Redirections > 0 || len(c.Wrappers) > 0 {
		return "", "", false
	}
	ed, f, ok := shellsyntax.EditorTarget(c)
	if !ok {
		return "", "", false
	}
	return ed, f.Raw, true
}

// Unquote is a shell word without its quotes and backslashes, for showing
// a file name (`"my notes.txt"` → `my notes.txt`); variables stay as written.
func Unquote(word string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case c == '\\' && quote != '\'' && i+1 < len(word):
			i++
			b.WriteByte(word[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// contentLangs are the fence languages that show a file's content
// whatever the file: untagged, text, output, source.
var contentLangs = map[string]bool{"": true, "text": true, "txt": true, "plain": true, "plaintext": true, "output": true, "source": true}

// fileLangs are the fence languages of a file's own kind, by extension.
var fileLangs = map[string][]string{
	".sh":   {"bash", "sh", "shell", "zsh"},
	".bash": {"bash", "sh", "shell"},
	".py":   {"python", "py", "python3"},
	".r":    {"r"},
	".md":   {"markdown", "md"},
	".js":   {"javascript", "js"},
	".ts":   {"typescript", "ts"},
	".yml":  {"yaml", "yml"},
	".yaml": {"yaml", "yml"},
	".json": {"json"},
	".toml": {"toml"},
	".html": {"html"},
	".css":  {"css"},
	".c":    {"c"},
	".go":   {"go"},
	".rb":   {"ruby", "rb"},
	".txt":  {"text", "txt"},
	".csv":  {"csv"},
	".ini":  {"ini"},
	".cfg":  {"ini", "cfg"},
	".conf": {"conf", "ini", "nginx", "apache"},
}

// IsContentFence reports whether a fence tagged lang can show the content
// of file (a shell word): untagged, text, output, source, or the file's
// own language (`bash` for do-stats.sh). Dotfiles such as .bashrc take
// bash too.
func IsContentFence(lang, file string) bool {
	lang = strings.ToLower(lang)
	if contentLangs[lang] {
		return true
	}
	base := path.Base(Unquote(file))
	ext := strings.ToLower(path.Ext(base))
	if ext == "" || ext == base {
		switch base {
		case ".bashrc", ".bash_profile", ".profile", ".bash_aliases", ".zshrc":
			ext = ".sh"
		}
	}
	if ext != "" && lang == ext[1:] {
		return true
	}
	for _, l := range fileLangs[ext] {
		if l == lang {
			return true
		}
	}
	return false
}
