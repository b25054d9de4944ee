// SPDX-License-Identifier: MIT
#include "threadcommand.h"

#include "engineconnection.h"
#include "invocation.h"
#include "protocol/methods.h"
#include "tableprinter.h"
#include "terminal.h"

namespace hive::ctl {

namespace {

// Enough of the text to recognise it; --json has it whole.
constexpr qsizetype TextCellLength = 60;

QString textCell(const QString &text)
{
    QString cell = text.simplified();
    if (cell.size() > TextCellLength)
        cell = cell.left(TextCellLength - 1) + QChar(0x2026);
    return cell;
}

QString questionText(const protocol::Question &question)
{
    QString text = question.question;
    if (!question.options.isEmpty()) {
        text += QStringLiteral(" [%1%2]").arg(question.options.join(QStringLiteral(" | ")),
                                              question.multi ? QStringLiteral(", several") : QString());
    }
    return textCell(text);
}

void printQuestions(const QList<protocol::Question> &questions, QTextStream &out)
{
    TablePrinter table({QStringLiteral("ID"), QStringLiteral("FROM"), QStringLiteral("TO"), QStringLiteral("STATE"),
                        QStringLiteral("EXPIRES"), QStringLiteral("QUESTION"), QStringLiteral("ANSWER")});
    for (const protocol::Question &question : questions) {
        QString answer = question.answer ? textCell(*question.answer) : QStringLiteral("-");
        if (question.answeredBy && question.state != QLatin1String("open"))
            answer += QStringLiteral(" (%1)").arg(*question.answeredBy);
        table.addRow(
            {QString::number(question.id), question.asker, question.target, question.state,
             question.state == QLatin1String("open") ? TablePrinter::timeCell(question.expiresAt) : QStringLiteral("-"),
             questionText(question), answer});
    }
    table.print(out);
}

void printReminders(const QList<protocol::Reminder> &reminders, QTextStream &out)
{
    TablePrinter table({QStringLiteral("ID"), QStringLiteral("AGENT"), QStringLiteral("STATE"), QStringLiteral("DUE"),
                        QStringLiteral("ATTEMPTS"), QStringLiteral("MESSAGE"), QStringLiteral("LAST ERROR")});
    for (const protocol::Reminder &reminder : reminders) {
        table.addRow({QString::number(reminder.id), reminder.agent, reminder.state,
                      TablePrinter::timeCell(reminder.dueAt), QString::number(reminder.attempts),
                      textCell(reminder.message),
                      reminder.lastError ? textCell(*reminder.lastError) : QStringLiteral("-")});
    }
    table.print(out);
}

} // namespace

ThreadCommand::ThreadCommand(EngineConnection &connection, const Invocation &invocation, Terminal &terminal)
    : m_connection(connection), m_invocation(invocation), m_terminal(terminal)
{}

int ThreadCommand::listQuestions()
{
    auto listed = m_connection.call<protocol::QuestionListMethod>(m_invocation.questions);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->questions.isEmpty()) {
        m_terminal.printLine(m_invocation.questions.state == QLatin1String("all")
                                 ? QStringLiteral("no questions")
                                 : QStringLiteral("no %1 questions").arg(m_invocation.questions.state));
        return toInt(ExitCode::Ok);
    }
    printQuestions(listed->questions, m_terminal.out());
    if (listed->hasMore) {
        m_terminal.note(
            QStringLiteral("(older questions follow: add --before %1)\n").arg(listed->questions.constLast().id));
    }
    return toInt(ExitCode::Ok);
}

int ThreadCommand::cancelQuestion()
{
    auto cancelled = m_connection.call<protocol::QuestionCancelMethod>(protocol::QuestionCancelParams{m_invocation.id});
    if (!cancelled)
        return m_terminal.fail(cancelled.error().message, m_connection.exitCodeFor(cancelled.error()));
    if (m_terminal.json())
        m_terminal.printJson(cancelled->toJson());
    else
        m_terminal.printLine(
            QStringLiteral("question %1 cancelled; %2 was told").arg(cancelled->id).arg(cancelled->asker));
    return toInt(ExitCode::Ok);
}

int ThreadCommand::answer()
{
    auto answered = m_connection.call<protocol::QuestionAnswerMethod>(
        protocol::QuestionAnswerParams{m_invocation.id, m_invocation.answer});
    if (!answered)
        return m_terminal.fail(answered.error().message, m_connection.exitCodeFor(answered.error()));
    if (m_terminal.json())
        m_terminal.printJson(answered->toJson());
    else
        m_terminal.printLine(
            QStringLiteral("question %1 answered; %2 was told").arg(answered->id).arg(answered->asker));
    return toInt(ExitCode::Ok);
}

int ThreadCommand::listReminders()
{
    auto listed = m_connection.call<protocol::ReminderListMethod>(m_invocation.reminders);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->reminders.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no reminders"));
        return toInt(ExitCode::Ok);
    }
    printReminders(listed->reminders, m_terminal.out());
    if (listed->hasMore) {
        m_terminal.note(
            QStringLiteral("(older reminders follow: add --before %1)\n").arg(listed->reminders.constLast().id));
    }
    return toInt(ExitCode::Ok);
}

int ThreadCommand::retryReminder()
{
    auto retried = m_connection.call<protocol::ReminderRetryMethod>(protocol::ReminderRetryParams{m_invocation.id});
    if (!retried)
        return m_terminal.fail(retried.error().message, m_connection.exitCodeFor(retried.error()));
    if (m_terminal.json())
        m_terminal.printJson(retried->toJson());
    else
        m_terminal.printLine(QStringLiteral("reminder %1 is due now").arg(retried->id));
    return toInt(ExitCode::Ok);
}

int ThreadCommand::cancelReminder()
{
    auto cancelled = m_connection.call<protocol::ReminderCancelMethod>(protocol::ReminderCancelParams{m_invocation.id});
    if (!cancelled)
        return m_terminal.fail(cancelled.error().message, m_connection.exitCodeFor(cancelled.error()));
    if (m_terminal.json())
        m_terminal.printJson(cancelled->toJson());
    else
        m_terminal.printLine(QStringLiteral("reminder %1 cancelled").arg(cancelled->id));
    return toInt(ExitCode::Ok);
}

int ThreadCommand::threads()
{
    auto listed = m_connection.call<protocol::ThreadListMethod>(m_invocation.threads);
    if (!listed)
        return m_terminal.fail(listed.error().message, m_connection.exitCodeFor(listed.error()));
    if (m_terminal.json()) {
        m_terminal.printJson(listed->toJson());
        return toInt(ExitCode::Ok);
    }
    if (listed->questions.isEmpty() && listed->reminders.isEmpty()) {
        m_terminal.printLine(QStringLiteral("no open threads"));
        return toInt(ExitCode::Ok);
    }
    QTextStream &out = m_terminal.out();
    if (!listed->questions.isEmpty()) {
        out << QStringLiteral("Open questions:\n");
        printQuestions(listed->questions, out);
    }
    if (!listed->reminders.isEmpty()) {
        if (!listed->questions.isEmpty())
            out << QStringLiteral("\n");
        out << QStringLiteral("Reminders:\n");
        printReminders(listed->reminders, out);
    }
    out.flush();
    return toInt(ExitCode::Ok);
}

} // namespace hive::ctl
