// SPDX-License-Identifier: MIT
#include "terminal.h"

#include <QJsonDocument>

#include <unistd.h>

namespace hive::ctl {

Terminal::Terminal(bool json, FILE *in, FILE *out, FILE *err) : m_json(json), m_in(in), m_out(out), m_err(err) {}

void Terminal::printLine(const QString &line)
{
    m_out << line << '\n';
    m_out.flush();
}

void Terminal::printJson(const QJsonObject &object)
{
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
    m_out.flush();
}

void Terminal::printJsonLine(const QJsonObject &object)
{
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
    m_out.flush();
}

void Terminal::note(const QString &text)
{
    m_err << text;
    m_err.flush();
}

int Terminal::fail(const QString &message, ExitCode code)
{
    // Whatever was printed to stdout so far must come out before the error, or a pipe that
    // merges both streams would show them out of order.
    m_out.flush();
    m_err << "hivectl: " << message << '\n';
    m_err.flush();
    return toInt(code);
}

bool Terminal::stdinIsTty() const
{
    return ::isatty(::fileno(m_in)) == 1;
}

std::optional<QString> Terminal::readLine()
{
    QByteArray line;
    for (;;) {
        const int c = std::fgetc(m_in);
        if (c == EOF) {
            if (line.isEmpty())
                return std::nullopt;
            break;
        }
        if (c == '\n')
            break;
        line.append(static_cast<char>(c));
    }
    return QString::fromLocal8Bit(line);
}

} // namespace hive::ctl
