# coursectl record's hooks: the last part of the recording shell's --rcfile
# (after the state it starts with, if any). See record.go.
#
# At every prompt the hook writes one record to the FIFO $__cc_rec_dir/records
# (opened each time, so no command the author runs inherits it): five
# NUL-terminated fields, kind, number, status, working directory, line.
# Kinds: R (the first prompt), C (a line entered: history has a new
# entry), B (an empty Enter), I (Ctrl-C at the prompt: nothing entered).
# The tokens around a line's output go to /dev/tty, so a command that
# redirected stdout cannot hide them: PS0, which bash prints after reading a
# line and before running it, opens the window; the end token, numbered like
# the record, closes it before the next prompt.
__cc_rec_dir=$__CC_REC_DIR
__cc_rec_tok=$__CC_REC_TOKEN
unset __CC_REC_DIR __CC_REC_TOKEN
HISTFILE=$__cc_rec_dir/history
HISTCONTROL= HISTIGNORE= HISTTIMEFORMAT= HISTSIZE=100000
shopt -s cmdhist lithist
# A person's shell: line editing (a checkpoint restored above comes from
# the runner's shell, which has none) and no option that ends it.
set -o emacs +o errexit +o nounset
trap - ERR
PS1='(recording) \W \$ '
PS2='> '
PS0=$'\e]6973;'$__cc_rec_tok$'\a'
__cc_rec_n=0
__cc_rec_int=
trap '__cc_rec_int=1' INT

# __cc_rec_hist sets __cc_rec_h (the history number of the last entry) and
# __cc_rec_line (its text, newlines kept: lithist).
__cc_rec_hist() {
	local h
	h=$(builtin history 1)
	h=${h#"${h%%[![:space:]]*}"}
	__cc_rec_h=${h%%[!0-9]*}
	h=${h#"$__cc_rec_h"}
	h=${h#\*}
	__cc_rec_line=${h#  }
}
__cc_rec_hist
__cc_rec_last=$__cc_rec_h

__cc_rec_prompt() {
	local st=$? kind=B
	((__cc_rec_n++))
	printf '\e]6973;%s;%d\a' "$__cc_rec_tok" "$__cc_rec_n" >/dev/tty
	__cc_rec_hist
	if ((__cc_rec_n == 1)); then
		kind=R
	elif [[ $__cc_rec_h != "$__cc_rec_last" ]]; then
		kind=C
	elif [[ -n $__cc_rec_int ]]; then
		kind=I
	fi
	__cc_rec_last=$__cc_rec_h __cc_rec_int=
	if [[ $kind != C ]]; then __cc_rec_line=; fi
	printf '%s\0' "$kind" "$__cc_rec_n" "$st" "$PWD" "$__cc_rec_line" >"$__cc_rec_dir/records"
	return "$st"
}
PROMPT_COMMAND=__cc_rec_prompt
