// SPDX-License-Identifier: MIT
#include "tableprinter.h"

#include <QTextStream>

#include <algorithm>

namespace hive::ctl {

namespace {

constexpr int Gap = 2;

// Cells are shown on one line each; a newline inside one would break the columns.
QString oneLine(const QString &cell)
{
    QString line = cell;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    line.replace(QLatin1Char('\r'), QLatin1Char(' '));
    return line;
}

} // namespace

TablePrinter::TablePrinter(QStringList header) : m_header(std::move(header)) {}

void TablePrinter::addRow(QStringList cells)
{
    for (QString &cell : cells)
        cell = oneLine(cell);
    m_rows.append(std::move(cells));
}

QString TablePrinter::toString() const
{
    QList<QStringList> lines;
    if (!m_header.isEmpty())
        lines.append(m_header);
    lines.append(m_rows);

    QList<qsizetype> widths;
    for (const QStringList &line : std::as_const(lines)) {
        if (widths.size() < line.size())
            widths.resize(line.size(), 0);
        for (qsizetype i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line.at(i).size());
    }

    QString text;
    for (const QStringList &line : std::as_const(lines)) {
        QString row;
        for (qsizetype i = 0; i < line.size(); ++i) {
            if (i + 1 < line.size())
                row += line.at(i).leftJustified(widths.at(i) + Gap);
            else
                row += line.at(i);
        }
        // Empty trailing cells would leave blanks at the end of the line.
        while (row.endsWith(QLatin1Char(' ')))
            row.chop(1);
        text += row + QLatin1Char('\n');
    }
    return text;
}

void TablePrinter::print(QTextStream &out) const
{
    out << toString();
    out.flush();
}

QString TablePrinter::timeCell(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("-");
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace hive::ctl
