# Sourced by the node scripts: reading and writing Java properties files without tools the image may lack.

property() { # property <file> <key>: the value of the last <key>= line, or nothing
  local line value=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" == "$2="* ]] && value="${line#*=}"
  done <"$1"
  printf '%s' "$value"
}

fill_template() { # fill_template <template> <node id> <pod name>: a pool template completed for one pod
  local line
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line//@NODE_ID@/$2}"
    printf '%s\n' "${line//@POD_NAME@/$3}"
  done <"$1"
}
