// Package shellsyntax is coursectl's one reader of bash, on the real parser
// mvdan.cc/sh/v3/syntax. Every question coursectl asks of a step's shell
// text is answered here, so that the step splitter, lint and the runner
// agree on what a command is:
//
//   - where one command ends and the next begins, as bash reading the lines
//     one by one would see it ([SplitScript], [SplitTranscript], [Complete]);
//     course uses it to turn a block's body into commands;
//   - which programs a command runs, however deeply nested, after the
//     wrappers that only start them (sudo, env, exec...) ([Calls]); lint uses
//     it to find interactive programs and sudo, the runner to find the line
//     of a waiting or shell-ending command;
//   - what those programs will do to an unattended run: open an editor on a
//     file ([EditorTarget]), wait for keystrokes ([WaitsForKeys]), turn
//     pipefail on or off ([Pipefail]).
//
// Heredoc bodies and quoted strings are data, never commands. Text that is
// not valid bash (a broken snippet, a `<placeholder>`) never makes an error
// or a panic: the answer degrades as bash would, one command line at a time.
//
// Rules: this package imports nothing of coursectl's (course imports it);
// what it knows about programs is data (the tables in programs.go).
package shellsyntax
