# Sourced by the node scripts: reading Java properties files without tools the image may lack.

property() { # property <file> <key>: the value of the last <key>= line, or nothing
  local line value=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" == "$2="* ]] && value="${line#*=}"
  done <"$1"
  printf '%s' "$value"
}
