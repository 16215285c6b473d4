# Sourced by ./sbstrategy and ./test: use the active virtual environment, or
# make .venv with the project installed (editable) and its test extras.
if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY=python
else
  if [ ! -x .venv/bin/python ]; then
    echo "setting up .venv (first run only)…" >&2
    python3 -m venv .venv
  fi
  if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip >&2
    .venv/bin/python -m pip install --quiet -e ".[test,docs]" >&2
    touch .venv/.installed
  fi
  PY=.venv/bin/python
fi
