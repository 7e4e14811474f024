# Shell side of the card TEST DOUBLES (README.md beside this file), for wine test runners; source it:
#   . tests/windows/mock_card/card_doubles.sh
#   card_doubles_install DOUBLES_FOLDER PROGRAM_FOLDER   # the doubles beside the program that uses them
#   card_doubles_use STATE_FILE                           # exports the environment; an empty file = fresh card
#   mock_card_pull STATE_FILE / mock_card_insert STATE_FILE
#   mock_reader_unplug STATE_FILE / mock_reader_plug STATE_FILE
# The state file is edited by rename (sed -i), which the doubles tolerate: they open it anew on every call.
# Edit it only while no Windows process is changing the card (they lock it; this side does not).

card_doubles_install() {  # DOUBLES_FOLDER PROGRAM_FOLDER
  cp "$1/winscard.dll" "$1/certbridge-mock-pkcs11.dll" "$2/"
}

card_doubles_use() {  # STATE_FILE
  [ -e "$1" ] || : >"$1"
  export CERTBRIDGE_MOCK_CARD_STATE="Z:${1//\//\\}"
  # The winscard.dll beside the program instead of wine's builtin stub; "n" alone, so a missing double fails.
  case ",${WINEDLLOVERRIDES:-}," in
    *winscard=n*) ;;
    *) export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:+$WINEDLLOVERRIDES;}winscard=n" ;;
  esac
}

# Fails when the card was not made yet (the first Windows process that uses a double makes it).
mock_card_made() {  # STATE_FILE
  grep -q '^present ' "$1" || { echo "mock card: $1 holds no card yet" >&2; return 1; }
}

mock_card_pull() {  # STATE_FILE
  mock_card_made "$1" && sed -i 's/^present .*/present 0/' "$1"
}

mock_card_insert() {  # STATE_FILE: a new insertion, so sessions opened on the card before it left stay gone
  local insertion
  mock_card_made "$1" || return 1
  insertion=$(sed -n 's/^insertion \([0-9]*\)$/\1/p' "$1")
  sed -i -e 's/^present .*/present 1/' -e "s/^insertion .*/insertion $((insertion + 1))/" "$1"
}

mock_reader_unplug() { mock_card_made "$1" && sed -i 's/^reader .*/reader 0/' "$1"; }
mock_reader_plug() { mock_card_made "$1" && sed -i 's/^reader .*/reader 1/' "$1"; }
