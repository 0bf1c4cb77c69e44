# The two commands of the README: `make run` and `make test`. Both set up .venv on a bare machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test mutate mutate-runtime setup starter translations kernels package package-smoke clean

setup: $(STAMP) translations kernels

# The native kernels, one library per instruction set (runtime/quant/native.py), rebuilt when their sources
# change (about 10 s). Nothing is compiled at run time.
KERNEL_LIBS := runtime/quant/lib/.built
kernels: $(KERNEL_LIBS)
$(KERNEL_LIBS): $(STAMP) runtime/quant/native.py $(wildcard runtime/quant/native/*)
	@$(PY) -m runtime.quant.native && touch $@ \
		|| echo "Octet's kernels were not built (no g++?): Octet runs on torch's slower kernels until they are"

# The interface's translations, compiled from resources/translations/*.ts (under a second).
translations: $(STAMP)
	$(PY) tools/build_translations.py --compile

# torch first, pinned: its CPU build installs in seconds; anything looser would fetch CUDA wheels.
$(STAMP): pyproject.toml
	@echo "Setting up .venv (PyTorch CPU, then Octet and its dependencies)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A fresh installation gets the starter model (SmolLM2-135M-Instruct, 98 MB) if it has no model yet.
starter: setup
	$(PY) -m app.models.starter_setup

run: starter
	$(PY) -m app

# Tests use their own data folders ($OCTET_DATA_DIR), never yours.
test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# Mutation testing, not in CI (tens of minutes): mutmut over app/history, app/models and the chat controller
# ([tool.mutmut] in pyproject.toml says which files and tests), then the kill rate per file. Results stay in
# mutants/ (git ignores it); a second run only redoes what changed. More cores: `make mutate JOBS=8`.
JOBS ?= 2
mutate: setup
	$(VENV)/bin/mutmut run --max-children $(JOBS)
	$(PY) tools/mutation_summary.py

# The same over the runtime's cheap parts (sampling, protocol validation, chat templates): tools/mutmut_runtime.toml
# is the pyproject.toml of a folder that links to runtime/ and tests/; its records stay in build/mutate-runtime/.
mutate-runtime: setup
	mkdir -p build/mutate-runtime
	cd build/mutate-runtime && ln -sfn ../../runtime runtime && ln -sfn ../../tests tests \
		&& cp ../../tools/mutmut_runtime.toml pyproject.toml && ../../$(VENV)/bin/mutmut run --max-children $(JOBS)
	$(PY) tools/mutation_summary.py --mutants build/mutate-runtime/mutants

# The double-clickable app (PyInstaller, one folder: dist/octet/), and a check that it answers a question.
package: setup
	$(PY) packaging/build.py

package-smoke: package starter
	$(PY) packaging/smoke_test.py

clean:
	rm -rf $(VENV) build *.egg-info mutants runtime/quant/lib
