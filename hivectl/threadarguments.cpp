// SPDX-License-Identifier: MIT
#include "argumentchecks.h"
#include "subcommands.h"

namespace hive::ctl {

using args::expectWords;
using args::idWord;
using args::listOptions;
using args::usage;
using Command = Invocation::Command;

Result<void> parseThreadCommand(const QStringList &words, const QHash<QString, QString> &options,
                                Invocation &invocation)
{
    const QString first = words.first();
    const QString second = words.value(1);
    const auto noOptions = [&](const QString &command) -> Result<void> {
        if (!options.isEmpty())
            return usage(QStringLiteral("'%1' takes no options").arg(command));
        return {};
    };
    if (first == QLatin1String("answer")) {
        invocation.command = Command::Answer;
        auto id = idWord(words, 1, QStringLiteral("answer ID ANSWER..."));
        if (!id)
            return fail(id.error());
        invocation.id = *id;
        if (words.size() < 3)
            return usage(QStringLiteral("missing argument: hivectl answer ID ANSWER..."));
        invocation.answer = words.mid(2).join(QLatin1Char(' '));
        return {};
    }
    if (first == QLatin1String("threads")) {
        invocation.command = Command::ThreadList;
        if (auto ok = expectWords(words, 1, QStringLiteral("threads [--agent NAME]")); !ok)
            return ok;
        if (options.contains(QStringLiteral("agent"))) {
            invocation.threads.agent = options.value(QStringLiteral("agent"));
            if (invocation.threads.agent->isEmpty())
                return usage(QStringLiteral("option --agent must not be empty"));
        }
        return {};
    }
    const bool questions = first == QLatin1String("questions");
    const QString noun = questions ? QStringLiteral("questions") : QStringLiteral("reminders");
    if (second == QLatin1String("cancel") || (!questions && second == QLatin1String("retry"))) {
        const QString usageLine = QStringLiteral("%1 %2 ID").arg(noun, second);
        if (auto ok = noOptions(QStringLiteral("%1 %2").arg(noun, second)); !ok)
            return ok;
        if (auto ok = expectWords(words, 3, usageLine); !ok)
            return ok;
        auto id = idWord(words, 2, usageLine);
        if (!id)
            return fail(id.error());
        invocation.id = *id;
        if (questions)
            invocation.command = Command::QuestionCancel;
        else
            invocation.command = second == QLatin1String("retry") ? Command::ReminderRetry : Command::ReminderCancel;
        return {};
    }
    if (!second.isEmpty()) {
        return usage(questions
                         ? QStringLiteral("unknown command 'questions %1'; there is cancel").arg(second)
                         : QStringLiteral("unknown command 'reminders %1'; there are retry and cancel").arg(second));
    }
    const QString state = options.value(QStringLiteral("state"));
    if (questions) {
        invocation.command = Command::QuestionList;
        if (options.contains(QStringLiteral("state"))) {
            if (!protocol::isQuestionState(state) && state != QLatin1String("all"))
                return usage(QStringLiteral("--state must be open, answered, expired, cancelled or all"));
            invocation.questions.state = state;
        }
        return listOptions(options, invocation.questions.agent, invocation.questions.limit,
                           protocol::QuestionListMaxLimit, invocation.questions.beforeId);
    }
    invocation.command = Command::ReminderList;
    if (options.contains(QStringLiteral("state"))) {
        if (!protocol::isReminderState(state) && state != QLatin1String("all"))
            return usage(QStringLiteral("--state must be pending, delivered, failed, cancelled or all"));
        if (state != QLatin1String("all"))
            invocation.reminders.state = state;
    }
    return listOptions(options, invocation.reminders.agent, invocation.reminders.limit, protocol::ReminderListMaxLimit,
                       invocation.reminders.beforeId);
}

} // namespace hive::ctl
