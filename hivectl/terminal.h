// SPDX-License-Identifier: MIT
#pragma once

#include "exitcode.h"

#include <QJsonObject>
#include <QTextStream>

#include <cstdio>
#include <optional>

namespace hive::ctl {

/// hivectl's standard streams. Results go to stdout (a table, or JSON with --json) and
/// everything else (errors, notes, the trust prompt) to stderr, so `hivectl --json ... | jq`
/// always sees nothing but the result.
class Terminal
{
public:
    Terminal(bool json, FILE *in = stdin, FILE *out = stdout, FILE *err = stderr);

    [[nodiscard]] bool json() const { return m_json; }

    /// stdout, for results.
    [[nodiscard]] QTextStream &out() { return m_out; }
    void printLine(const QString &line);
    /// One result object, indented (the whole of stdout for a command in --json mode).
    void printJson(const QJsonObject &object);
    /// One compact object per line, flushed at once (event streams).
    void printJsonLine(const QJsonObject &object);

    /// stderr, as is: notes and the trust prompt.
    void note(const QString &text);
    /// "hivectl: <message>" on stderr; returns `code` as an int for `return terminal.fail(...)`.
    int fail(const QString &message, ExitCode code);

    [[nodiscard]] bool stdinIsTty() const;
    /// One line typed by the user, without its newline; nullopt at end of input.
    [[nodiscard]] std::optional<QString> readLine();

private:
    bool m_json;
    FILE *m_in;
    QTextStream m_out;
    QTextStream m_err;
};

} // namespace hive::ctl
