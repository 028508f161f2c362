# coursectl's step wrapper: bash reads this as its --rcfile, so it runs once,
# before the first prompt, in the interactive shell the steps share.
#
# The runner passes three files beyond the pty: fd 3 (records to the runner),
# fd 4 (the pty again, for sync tokens that must reach the output stream even
# when a step redirects stdout) and fd 5 (the runner's answer to a step's end
# record). They move to 247, 249 and 248 so courses that use
# fd 3-9 themselves cannot close them; every step runs with them closed, so
# nothing a step starts inherits them. The runner writes each step's two
# tokens (start, end) to $__cc_dir/tokens before typing the step's line,
# then three lines that say what to dump of the shell's state afterwards
# (variables, functions, aliases: see __cc_save), then the lines the step
# adds to history.
#
# The wrapper's functions run in the course's shell, where a local variable
# would hide the course's variable of the same name from the state dump: so
# every name of the wrapper's, local or not, starts with __cc.
#
# In a container (__CC_FIFO) no fd but the terminal gets here: the records
# and the answer are FIFOs in the scratch directory, opened in the order the
# runner opens its ends (records, then answer), and fd 249 is the terminal.
if [[ -n ${__CC_FIFO-} ]]; then
	exec 247>"$__CC_DIR/records" 248<"$__CC_DIR/answer" 249>/dev/tty
	unset __CC_FIFO
else
	exec 247>&3 248<&5 249>&4 3>&- 4>&- 5<&-
fi
__cc_pid=$$
__cc_dir=$__CC_DIR
unset __CC_DIR
HISTFILE=$__cc_dir/history
PS1='$ '
PS2='> '
__cc_active=0
__cc_uerr=
__cc_f=$__cc_dir/step.sh
__cc_tok=$__cc_dir/tokens

# __cc_pre: runs before the step in $__cc_f. Saves the user's errexit/pipefail/errtrace
# and ERR trap, then turns on step semantics: an ERR trap that returns from the
# sourced step file (errexit without exiting the shell). Ends by
# printing the start token so the runner knows where the step's output begins.
# (__cc_pre's code runs through eval, not as a function's body: bash has not
# yet put the typed line in the history list when a function's body starts,
# and the `history -d -1` below is there to take it out.)
IFS= read -r -d '' __cc_pre_src <<'EOF'
# The DEBUG trap is off while the wrapper runs and put back by the step
# file's first line: a trap set before `.` would be saved and put back after
# it by bash, so a step's `trap - DEBUG` would not stick (__cc_pre has the
# trace attribute, so what it does to DEBUG lasts).
trap -p DEBUG >|"$__cc_dir/dbgtrap"
trap - DEBUG
__cc_o_pipefail=0 __cc_o_errtrace=0 __cc_o_errexit=0 __cc_xt=0 __cc_ps4=0 __cc_pfw=
# A course's set -x: off until the step file's first line (__cc_arm) turns
# it on again, so `. step.sh` is not traced. The default PS4 becomes a marker
# the runner turns back into `+`, one level less: sourcing adds a level
# (`++ cmd`) that a terminal would not show. Not when PS4 is exported: a
# child bash would inherit the marker.
if [[ -o xtrace ]]; then __cc_xt=1; set +o xtrace; fi
if [[ ${PS4-} == '+ ' && ${PS4@a} != *x* ]]; then __cc_ps4=1; PS4=$'\x1f '; fi
if [[ -o errexit ]]; then __cc_o_errexit=1; set +o errexit; fi
__cc_file=$__cc_f
__cc_active=1
__cc_fail_line=0
__cc_forgiven=
if [[ -o history ]]; then history -d -1 2>/dev/null; fi
if [[ -o pipefail ]]; then __cc_o_pipefail=1; fi
if [[ -o errtrace ]]; then __cc_o_errtrace=1; fi
# The user's ERR handler (kept by __cc_post: in a function without errtrace,
# as __cc_pre is, bash hides the ERR trap), which the wrapper's runs first.
__cc_ueh=
if [[ -n $__cc_uerr ]]; then
	__cc_ueh=${__cc_uerr#trap -- } __cc_ueh=${__cc_ueh%ERR*}
	eval "__cc_ueh=$__cc_ueh"
fi
# pipefail is off, as in a learner's terminal, unless the course asks for it:
# then the step file's first line turns it on (__cc_pfon=1).
__cc_pfon=0
set -o errtrace
trap "$__cc_errtrap" ERR
local __cc_t
{
	IFS= read -r __cc_t
	IFS= read -r __cc_l && IFS= read -r __cc_l && IFS= read -r __cc_l && IFS= read -r __cc_l
	if [[ -o history ]]; then while IFS= read -r __cc_l; do if [[ -n $__cc_l ]]; then history -s -- "${__cc_l//$'\x1e'/$'\n'}"; fi; done; fi
} <"$__cc_tok"
printf '\e]6973;%s\a' "$__cc_t" >&249
EOF

# The ERR trap (its stderr to /dev/null, so a course's `set -x` does not trace
# it into the step's output). Under the pipefail a course's settings turn on
# (__cc_pfon), a pipeline whose last command succeeded and whose other
# commands died only of SIGPIPE (`yes | head`) is not a failure (a course that
# sets pipefail itself, in an earlier step or this one, gets the strict rule). In a subshell: exit (errexit's behaviour). At the step file's
# own level: note the line (LINENO must be read on the trap's first line), and
# return from the file. In a function or a nested sourced file: return from
# it, so the caller's line fails in turn.
IFS= read -r -d '' __cc_errtrap <<'EOF'
{ __cc_st=$? __cc_ln=$LINENO __cc_ps=" ${PIPESTATUS[@]} "
__cc_x=${__cc_ps// 141/} __cc_x=${__cc_x// 0/}
if [[ $__cc_pfon == 1 && $__cc_o_pipefail == 0 && $__cc_pfw != on && $__cc_ps == *" 0 " && -z ${__cc_x// /} ]]; then __cc_forgiven=$__cc_st
elif [[ $BASHPID != "$__cc_pid" ]]; then exit "$__cc_st"
elif [[ ${BASH_SOURCE[0]-} == "$__cc_file" && ( -z ${FUNCNAME[0]-} || ${FUNCNAME[0]} == source ) ]]; then
	__cc_fail_line=$__cc_ln
	if [[ -n $__cc_ueh ]]; then __cc_ret "$__cc_st"; eval "$__cc_ueh" 2>/dev/tty; fi
	if [[ -o errexit ]]; then __cc_o_errexit=1; set +o errexit; fi
	return "$__cc_st"
elif [[ -n ${FUNCNAME[0]-} || -n ${BASH_SOURCE[0]-} ]]; then return "$__cc_st"; fi; } 2>/dev/null
EOF

# __cc_post STATUS: runs after the step file returns. Restores the user's
# options and ERR trap, dumps the state, reports the status and prints the
# end token. (The wrapper's functions are plain functions, parsed once: the
# full dump leaves out every __cc function, so their size costs nothing.)
__cc_post() {
	__cc_active=0
	# The end token, and what to dump (the tokens file's lines 2-5).
	local __cc_t= __cc_dv __cc_df __cc_da
	{ IFS= read -r __cc_t; IFS= read -r __cc_t; IFS=' ' read -r -a __cc_dv; IFS=' ' read -r -a __cc_df; IFS=' ' read -r -a __cc_da; } <"$__cc_tok" || :
	# A step that set (or removed) an ERR trap keeps that; else the user's comes
	# back. (errtrace is still on here, so the ERR trap is visible and changes
	# to it last.)
	trap -p ERR >|"$__cc_dir/errnow"
	local __cc_e=
	IFS= read -r -d '' __cc_e <"$__cc_dir/errnow" || :
	if [[ $__cc_e == "$__cc_errtrap_p" ]]; then
		trap - ERR
		if [[ -n $__cc_uerr ]]; then eval "$__cc_uerr"; fi
	else
		__cc_uerr=$__cc_e
	fi
	if [[ $__cc_ps4 == 1 && ${PS4-} == $'\x1f ' ]]; then PS4='+ '; fi
	# When the wrapper turned pipefail on for the step (the course's setting), the
	# shell gets back the setting it began with — unless the step sets pipefail
	# itself (the runner read it in the step's text: the first line sets
	# __cc_pfw). Otherwise pipefail is what the step left, as in a terminal.
	if [[ $__cc_pfon == 1 ]]; then
		if [[ $__cc_pfw == on ]]; then __cc_o_pipefail=1; elif [[ $__cc_pfw == off ]]; then __cc_o_pipefail=0; fi
		if [[ $__cc_o_pipefail == 0 ]]; then set +o pipefail; fi
	fi
	if [[ $__cc_o_errtrace == 0 ]]; then set +o errtrace; fi
	if [[ $__cc_o_errexit == 1 ]]; then set -o errexit; fi
	__cc_save
	# The third field is 0 when the step took the shell's input away (exec
	# </dev/null): the shell would read end-of-file at its next prompt.
	local __cc_in=1
	if [[ ! -t 0 ]]; then __cc_in=0; fi
	# A step that ends with a pipeline the ERR trap forgave (its writers died of
	# SIGPIPE only) returns that pipeline's status: it is no failure either.
	local __cc_rc=$1
	if [[ $__cc_rc != 0 && $__cc_fail_line == 0 && $__cc_rc == "$__cc_forgiven" ]]; then __cc_rc=0; fi
	printf 'E %d %d %d\n' "$__cc_rc" "$__cc_fail_line" "$__cc_in" >&247
	# The runner answers once it has discarded what was typed during the step
	# and not read: nothing of that may reach the next prompt.
	local __cc_x
	IFS= read -r __cc_x <&248 || :
	printf '\e]6973;%s\a' "$__cc_t" >&249
}

# __cc_save dumps the shell's state for the runner (runner/state.go reads
# it), with builtins only: no process is started. The runner's plan
# (__cc_dv, __cc_df, __cc_da: a letter, then names) says what: `v NAMES`
# the variables (functions, aliases) the step could have changed, `F`
# everything, `V` the names and then everything (a test of the plan).
# Options travel in SHELLOPTS/BASHOPTS. Each section starts with a line
# `@TOKEN KIND`, TOKEN being this round trip's end token, which the step
# never saw. Nothing here may fail under the course's errexit or nounset.
# The group's stderr goes to /dev/null once: each redirection costs bash
# some ten system calls.
__cc_save() {
	{
		local __cc_x __cc_n
		if [[ ${__cc_dv[0]-F} != F ]]; then
			printf '@%s delta\n@%s vars\n' "$__cc_t" "$__cc_t"
			declare -p -- SHELLOPTS BASHOPTS PS4 "${__cc_dv[@]:1}" || :
			for __cc_x in "${__cc_df[@]:1}"; do
				printf '@%s fn ' "$__cc_t"
				declare -pF -- "$__cc_x" || printf 'none %s\n' "$__cc_x"
				declare -f -- "$__cc_x" || :
			done
			printf '@%s aliases\n' "$__cc_t"
			if ((${#__cc_da[@]} > 1)); then alias -- "${__cc_da[@]:1}" || :; fi
			__cc_place
		fi
		if [[ ${__cc_dv[0]-F} != v ]]; then
			printf '@%s full\n@%s vars\n' "$__cc_t" "$__cc_t"
			declare -p
			declare -F >|"$__cc_dir/fnames"
			mapfile -t __cc_fl <"$__cc_dir/fnames"
			for __cc_x in "${__cc_fl[@]}"; do
				__cc_n=${__cc_x##* }
				if [[ $__cc_n != __cc* ]]; then
					printf '@%s fn %s\n' "$__cc_t" "$__cc_x"
					declare -f -- "$__cc_n"
				fi
			done
			printf '@%s aliases\n' "$__cc_t"
			alias -p
			printf '@%s traps\n' "$__cc_t"
			trap -p
			__cc_place
		fi
		# Only this step's new history lines: the runner keeps the whole list.
		if [[ -o history ]]; then history -a "$__cc_dir/checkpoint.tmp.hist" || :; fi
	} >|"$__cc_dir/checkpoint.tmp" 2>/dev/null
}

# __cc_place ends a dump: umask, the working directory and the directory
# stack (paths NUL-terminated: a path may hold a newline).
__cc_place() {
	printf '@%s umask\n' "$__cc_t"
	umask -p
	printf '@%s cwd\n%s\0\n@%s dirs\n' "$__cc_t" "${PWD-}" "$__cc_t"
	if ((${#DIRSTACK[@]} > 1)); then printf '%s\0' "${DIRSTACK[@]:1}"; fi
	printf '\n@%s end\n' "$__cc_t"
}

# __cc_edit SRC FILE: an editor step in check: FILE gets the content the page
# shows (in SRC) instead of an editor opening on it. Builtins only.
__cc_edit() { local __cc_c=; IFS= read -r -d '' __cc_c <"$1" || :; printf '%s' "$__cc_c" >|"$2"; }
__cc_pre() { eval "$__cc_pre_src"; }
declare -ft __cc_pre
# __cc_ret N: sets $? to N (for the user's ERR handler).
__cc_ret() { return "$1"; }
# __cc_bg N: the first command of background step N's job (a subshell of its
# own): when the job ends, its exit status goes to background-N.status.
# Both in braces that send stderr away: under a course's set -x neither is
# traced into the job's log.
__cc_bg() { trap '{ printf "%s\n" "$?" >"$__cc_dir/background-'"$1"'.status";} 2>/dev/null' EXIT; }
# __cc_arm: the first line of every step file. Untraced (xtrace is still off)
# and it returns 0, so neither set -x nor the ERR trap sees it.
__cc_arm() { if [[ $__cc_xt == 1 ]]; then set -o xtrace; fi; }
# __cc_prompt runs before every prompt (PROMPT_COMMAND[99]). It only acts when
# a step's line was aborted before __cc_post ran (Ctrl-C in a terminal).
__cc_prompt() { local __cc_pst=$?; if [[ $__cc_active == 1 ]]; then __cc_post "$__cc_pst"; fi; }
# __cc_abort: typed by the runner when an interrupted line left the shell at
# its prompt without finishing the step (a course removed PROMPT_COMMAND).
__cc_abort() { if [[ -o history ]]; then history -d -1; fi; if [[ $__cc_active == 1 ]]; then __cc_post 130; fi; }
# __cc_sync: a round trip, used after restoring a checkpoint.
__cc_sync() { printf 'Y\n' >&247; local __cc_t1 __cc_t2; { IFS= read -r __cc_t1; IFS= read -r __cc_t2; } <"$__cc_tok"; printf '\e]6973;%s\a\e]6973;%s\a' "$__cc_t1" "$__cc_t2" >&249; }

# The wrapper's ERR trap as `trap -p` shows it: a step that leaves another
# ERR trap set it itself.
trap "$__cc_errtrap" ERR
trap -p ERR >|"$__cc_dir/errnow"
IFS= read -r -d "" __cc_errtrap_p <"$__cc_dir/errnow" || :
trap - ERR
readonly -f __cc_edit __cc_pre __cc_arm __cc_ret __cc_bg __cc_post __cc_prompt __cc_save __cc_place __cc_sync __cc_abort
# In braces: under a course's set -x the hook is not traced into the output.
PROMPT_COMMAND[99]='{ __cc_prompt;} 2>/dev/null'
printf 'R %d\n' "$$" >&247
