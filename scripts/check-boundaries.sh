#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The engine, harness, shared code and the console's model library must not use Widgets or
# Charts: they run headless on servers. Fails naming every offending include.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=(common engine harness hivectl)
[[ -d console/model ]] && dirs+=(console/model)
pattern='#[[:space:]]*include[[:space:]]*[<"](QtWidgets|QtCharts|QtGui/|Q(Widget|Application|MainWindow|Dialog|Chart|ChartView|PushButton|Label|LineEdit|TreeView|TableView|ListView|MessageBox|Menu|Action|GuiApplication)\b)'
if hits=$(grep -rnE "$pattern" "${dirs[@]}" --include='*.h' --include='*.cpp'); then
    echo "UI includes outside the console's UI library:" >&2
    echo "$hits" >&2
    exit 1
fi
# CMake too: none of these folders may link Widgets, Charts or Gui.
if hits=$(grep -rnE 'Qt6::(Widgets|Charts|Gui)' "${dirs[@]}" --include=CMakeLists.txt); then
    echo "UI libraries linked outside the console:" >&2
    echo "$hits" >&2
    exit 1
fi
echo "boundaries: no Widgets/Charts/Gui in ${dirs[*]}"
