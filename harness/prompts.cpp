// SPDX-License-Identifier: MIT
#include "prompts.h"

#include <QFile>
#include <QRegularExpression>

namespace hive::harness {

QString promptTemplate(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[a-z-]+$"));
    if (!valid.match(name).hasMatch())
        return {};
    QFile file(QStringLiteral(":/hive/prompts/%1.md").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString renderTemplate(const QString &text, const QHash<QString, QString> &values, QStringList *unknown)
{
    static const QRegularExpression label(QStringLiteral(R"(\{([a-z0-9_]+)\})"));
    QString rendered;
    rendered.reserve(text.size());
    qsizetype last = 0;
    for (auto it = label.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        rendered += QStringView(text).mid(last, match.capturedStart() - last);
        const QString name = match.captured(1);
        if (const auto value = values.constFind(name); value != values.constEnd()) {
            rendered += *value;
        } else {
            rendered += match.captured(0);
            if (unknown && !unknown->contains(name))
                unknown->append(name);
        }
        last = match.capturedEnd();
    }
    rendered += QStringView(text).mid(last);
    return rendered;
}

QString senderKind(const QString &from)
{
    if (from == QLatin1String("system") || from == QLatin1String("operator") || from == QLatin1String("manager"))
        return from;
    return QStringLiteral("peer");
}

QString wakePrompt(const protocol::Message &message, qint64 pending)
{
    const QString when = message.sentAt.toUTC().toString(Qt::ISODate);
    QString prompt;
    if (message.from == QLatin1String("system")) {
        prompt = QStringLiteral("System event (message %1, %2):\n").arg(message.id).arg(when);
    } else {
        const QString who = message.from == QLatin1String("operator")  ? QStringLiteral("the operator")
                            : message.from == QLatin1String("manager") ? QStringLiteral("the manager")
                                                                       : message.from;
        prompt = QStringLiteral("Message %1 from %2 (%3)").arg(message.id).arg(who, when);
        if (message.broadcast)
            prompt += QStringLiteral(", sent to every agent");
        if (message.inReplyTo)
            prompt += QStringLiteral(", in reply to message %1").arg(*message.inReplyTo);
        prompt += QStringLiteral(":\n");
    }
    prompt += message.body;
    if (!prompt.endsWith(QLatin1Char('\n')))
        prompt += QLatin1Char('\n');
    if (message.redelivered) {
        prompt += QStringLiteral("\n[redelivered: a turn on this message was interrupted before it finished; check "
                                 "what was already done before you repeat anything]\n");
    }
    if (message.from != QLatin1String("system") && message.from != QLatin1String("operator")) {
        prompt += QStringLiteral("\n[to answer: send(to=\"%1\", body=..., in_reply_to=%2)]\n")
                      .arg(message.from)
                      .arg(message.id);
    } else if (message.from == QLatin1String("operator")) {
        prompt += QStringLiteral("\n[to answer: send(to=\"operator\", body=..., in_reply_to=%1)]\n").arg(message.id);
    }
    if (pending > 0) {
        prompt += pending == 1 ? QStringLiteral("[1 more message is waiting; it wakes you next]\n")
                               : QStringLiteral("[%1 more messages are waiting; they wake you next]\n").arg(pending);
    }
    return prompt;
}

} // namespace hive::harness
