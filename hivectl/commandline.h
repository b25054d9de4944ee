// SPDX-License-Identifier: MIT
#pragma once

#include "invocation.h"
#include "result.h"

#include <QStringList>

namespace hive::ctl {

/// hivectl's command line: `hivectl [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]`.
///
/// Options after the command words belong to that command first, then to the global set; that
/// is what lets `audit --token NAME` filter by token name while `--token` before the command is
/// the caller's secret. QCommandLineParser has no notion of subcommands, hence this parser.
class CommandLine
{
public:
    /// `arguments` as QCoreApplication::arguments() gives them (program name first). Every
    /// problem is an InvalidParams error whose message names the option or argument.
    [[nodiscard]] static Result<Invocation> parse(const QStringList &arguments);

    [[nodiscard]] static QString helpText();
};

} // namespace hive::ctl
