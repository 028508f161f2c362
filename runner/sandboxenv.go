package runner

import "strings"

// A sandboxed run has its own HOME, but HOME is not the only way a program
// finds the learner's files: the XDG base directories, and variables that
// name a tool's config, credentials or history file, point at the real
// ones when the caller's environment sets them. `XDG_CONFIG_HOME=$HOME/.config
// coursectl check` with a step `pip config set ...` wrote the real
// ~/.config/pip/pip.conf. So in a sandboxed run the XDG base directories are
// set inside the sandbox HOME and those variables are dropped (docs/check.md,
// "The sandbox"). The module's and the caller's own env settings still come
// after, so a course that needs one sets it.

// xdgHomes are the XDG base directories, as HOME-relative defaults.
var xdgHomes = []struct{ name, rel string }{
	{"XDG_CONFIG_HOME", ".config"},
	{"XDG_CACHE_HOME", ".cache"},
	{"XDG_DATA_HOME", ".local/share"},
	{"XDG_STATE_HOME", ".local/state"},
}

// userFileVars name a per-user configuration, credential, history or data
// location outside HOME's defaults. Toolchain locations (GOPATH,
// CARGO_HOME, RUSTUP_HOME, GEM_HOME, NVM_DIR, PYENV_ROOT...) are kept: the
// tools on PATH need them to run at all.
var userFileVars = map[string]bool{
	// Python
	"PIP_CONFIG_FILE": true, "PYTHONUSERBASE": true, "PYTHONSTARTUP": true, "PYTHON_HISTORY": true,
	"IPYTHONDIR": true, "JUPYTER_CONFIG_DIR": true, "JUPYTER_DATA_DIR": true, "MPLCONFIGDIR": true, "CONDARC": true,
	// Node
	"NPM_CONFIG_USERCONFIG": true, "npm_config_userconfig": true,
	// version control, keys, containers, clusters, clouds
	"GIT_CONFIG_GLOBAL": true, "GNUPGHOME": true, "DOCKER_CONFIG": true, "KUBECONFIG": true,
	"AWS_CONFIG_FILE": true, "AWS_SHARED_CREDENTIALS_FILE": true, "CLOUDSDK_CONFIG": true,
	"AZURE_CONFIG_DIR": true, "GH_CONFIG_DIR": true, "TF_CLI_CONFIG_FILE": true,
	// shells and everyday tools
	"ZDOTDIR": true, "INPUTRC": true, "LESSHISTFILE": true, "LESSKEY": true, "MYVIMRC": true,
	"WGETRC": true, "CURL_HOME": true, "SCREENRC": true,
	// R
	"R_ENVIRON_USER": true, "R_PROFILE_USER": true, "R_LIBS_USER": true,
}

// sandboxEnv is env for a run whose HOME is home (not the learner's):
// the XDG base directories under home, the userFileVars gone.
func sandboxEnv(env []string, home string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if userFileVars[k] || isXDGHome(k) {
			continue
		}
		out = append(out, kv)
	}
	for _, x := range xdgHomes {
		out = append(out, x.name+"="+home+"/"+x.rel)
	}
	return out
}

func isXDGHome(k string) bool {
	for _, x := range xdgHomes {
		if x.name == k {
			return true
		}
	}
	return false
}
