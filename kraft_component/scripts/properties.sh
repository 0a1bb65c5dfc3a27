# Sourced by the node scripts: reading and writing Java properties files without tools the image may lack.
shopt -u patsub_replacement 2>/dev/null || true # bash 5.2: '&' in a replacement must stay a literal '&'

property() { # property <file> <key>: the value of the last <key>= line, or nothing
  local line value=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" == "$2="* ]] && value="${line#*=}"
  done <"$1"
  printf '%s' "$value"
}

file_value() { # file_value <path>: a file's content as one properties value (newlines and backslashes escaped)
  local content
  [[ -f "$1" && -r "$1" ]] || {
    echo "kraft: cannot read $1: its Secret is not mounted or lacks the key" >&2
    return 1
  }
  content="$(<"$1")"
  content="${content//\\/\\\\}"
  printf '%s' "${content//$'\n'/\\n}"
}

fill_template() { # fill_template <template> <node id> <pod name>: a template completed for one pod, with
  # each @FILE:<path>@ replaced by that file's content and @EXTERNAL_PORT@ by KRAFT_EXTERNAL_PORT_OFFSET + node ID
  local line rest placeholder value
  while IFS= read -r rest || [[ -n "$rest" ]]; do
    rest="${rest//@NODE_ID@/$2}"
    rest="${rest//@POD_NAME@/$3}"
    if [[ "$rest" == *@EXTERNAL_PORT@* ]]; then
      : "${KRAFT_EXTERNAL_PORT_OFFSET:?the template has @EXTERNAL_PORT@ but KRAFT_EXTERNAL_PORT_OFFSET is unset}"
      rest="${rest//@EXTERNAL_PORT@/$((KRAFT_EXTERNAL_PORT_OFFSET + $2))}"
    fi
    line=""
    while [[ "$rest" =~ @FILE:([^@]+)@ ]]; do # left to right, so a file's content is never read as a placeholder
      placeholder="${BASH_REMATCH[0]}"
      value="$(file_value "${BASH_REMATCH[1]}")" || return 1
      line+="${rest%%"$placeholder"*}$value"
      rest="${rest#*"$placeholder"}"
    done
    printf '%s\n' "$line$rest"
  done <"$1"
}

client_config() { # client_config <template>: write a client config template completed with the mounted
  # Secrets' files into KRAFT_WORK_DIR (readable by this user only), print its path
  local config="${KRAFT_WORK_DIR:?}/${1##*/}"
  (umask 077 && fill_template "$1" "" "" >"$config") || return 1
  printf '%s' "$config"
}
