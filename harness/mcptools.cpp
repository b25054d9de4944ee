// SPDX-License-Identifier: MIT
#include "mcptools.h"

#include "protocol/agentmethods.h"

#include <QJsonArray>

namespace hive::harness {

namespace {

using namespace hive::protocol;

// --- JSON Schema pieces

QJsonObject object(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"), properties},
                       {QStringLiteral("additionalProperties"), false}};
    if (!required.isEmpty())
        schema.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return schema;
}

QJsonObject text(const QString &description, int minLength = 0, int maxLength = 0)
{
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("string")},
                       {QStringLiteral("description"), description}};
    if (minLength > 0)
        schema.insert(QStringLiteral("minLength"), minLength);
    if (maxLength > 0)
        schema.insert(QStringLiteral("maxLength"), maxLength);
    return schema;
}

QJsonObject pattern(const QString &description, const QString &regex)
{
    QJsonObject schema = text(description);
    schema.insert(QStringLiteral("pattern"), regex);
    return schema;
}

QJsonObject integer(const QString &description, qint64 minimum, std::optional<qint64> maximum = std::nullopt)
{
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("integer")},
                       {QStringLiteral("description"), description},
                       {QStringLiteral("minimum"), minimum}};
    if (maximum)
        schema.insert(QStringLiteral("maximum"), *maximum);
    return schema;
}

const QString AgentNamePattern = QStringLiteral("^[a-z][a-z0-9-]{0,11}$");
const QString CommitRefPattern = QStringLiteral("^[0-9a-fA-F]{7,40}$");
constexpr int MaxDescriptionCharacters = 4096; // the engine's cap on an approval's description

QJsonObject agentName(const QString &description)
{
    return pattern(description, AgentNamePattern);
}
QJsonObject commitRef()
{
    return pattern(QStringLiteral("7 to 40 hex digits of a commit (git rev-parse HEAD in the repo); branch and tag "
                                  "names are refused"),
                   CommitRefPattern);
}
QJsonObject approvalDescription()
{
    return text(QStringLiteral("what it is for, shown to the operator who approves it; at most 4096 characters"), 0,
                MaxDescriptionCharacters);
}

// --- argument checks: the protocol struct's own fromJson, as the engine runs it

template<typename P>
Result<QJsonObject> check(const QJsonObject &arguments)
{
    auto params = P::fromJson(arguments);
    if (!params)
        return fail(params.error());
    return params->toJson();
}

/// The engine wants `description` on every request; the tools make it optional (empty).
template<typename P>
Result<QJsonObject> checkWithDescription(QJsonObject arguments)
{
    if (!arguments.contains(QStringLiteral("description")))
        arguments.insert(QStringLiteral("description"), QString());
    return check<P>(arguments);
}

McpTool tool(const char *name, const char *title, QString description, QJsonObject schema,
             std::function<Result<QJsonObject>(const QJsonObject &)> prepare)
{
    McpTool made;
    made.name = QString::fromLatin1(name);
    made.title = QString::fromLatin1(title);
    made.description = std::move(description);
    made.inputSchema = std::move(schema);
    made.prepare = std::move(prepare);
    return made;
}

McpTool readOnly(McpTool made)
{
    made.readOnly = true;
    made.idempotent = true;
    return made;
}

McpTool managers(McpTool made, bool destructive = false, bool idempotent = false)
{
    made.managerOnly = true;
    made.destructive = destructive;
    made.idempotent = idempotent;
    return made;
}

QList<McpTool> agentTools()
{
    QList<McpTool> tools;
    tools << tool(
        "recv", "Receive messages",
        QStringLiteral(
            "Take the oldest messages from your inbox. Without wait_seconds (or 0) it is an immediate peek: it "
            "returns at once, possibly with no messages. With wait_seconds > 0 it waits (a long poll) and returns as "
            "soon as a message is there, or with none when the wait ends (at most 180 s). Returns {messages, "
            "pending}: each message has id, from, to, body, sent_at, in_reply_to, broadcast and redelivered; pending "
            "counts what is still queued (call again to get more). Messages from \"system\" are engine notices whose "
            "body is a JSON object with an \"event\" field: question_answered (the answer to one of your asks), "
            "question_asked (a question for you: reply with answer), question_cancelled, question_closed, reminder "
            "(a reminder you set), approval_resolved, config_ready, agent_added, container_crash, "
            "allowed_recipients_changed. redelivered = true: it was handed out before and not finished, so you may "
            "already have acted on it."),
        object({{QStringLiteral("wait_seconds"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("number")},
                             {QStringLiteral("minimum"), 0},
                             {QStringLiteral("maximum"), RecvMaxWaitSeconds},
                             {QStringLiteral("description"),
                              QStringLiteral("0 or absent: return at once. Up to 180: wait that long for a message "
                                             "(fractions allowed); a longer wait is refused, not shortened.")}}},
                {QStringLiteral("max"),
                 integer(QStringLiteral("the most messages to take, 1 to 32 (default 1)"), 1, RecvMaxMessages)}}),
        check<RecvParams>);
    tools << tool(
        "send", "Send a message",
        QStringLiteral(
            "Send a message to another agent by name, to \"operator\" (the human who runs the swarm), to \"manager\", "
            "or to \"*\" (a broadcast to every other agent). Returns {id, recipients} at once; the recipient reads "
            "it with recv, and any reply comes to your inbox later, not as this tool's result. You cannot send to "
            "yourself (use remind for a note to your future self). If you have an allow-list (allowed_recipients), "
            "you may only send to the names on it and to manager, which is always reachable; a refused send names "
            "the list. The body is at most 65536 bytes of UTF-8 unless the operator configured another cap."),
        object({{QStringLiteral("to"),
                 text(QStringLiteral("an agent's name, \"operator\", \"manager\", or \"*\" for every other agent"), 1)},
                {QStringLiteral("body"),
                 text(QStringLiteral("the message; not empty; 65536 bytes of UTF-8 at most by default"), 1)},
                {QStringLiteral("in_reply_to"),
                 integer(QStringLiteral("the id of the message this one answers (it must exist)"), 1)}},
               {QStringLiteral("to"), QStringLiteral("body")}),
        check<SendParams>);
    tools << tool(
        "ask", "Ask a question",
        QStringLiteral(
            "Ask the operator (the default) or another agent a question. Returns {id, expires_at} at once: it does "
            "NOT wait for the answer. The answer arrives later in your inbox (use recv) as a system message whose "
            "body is {\"event\": \"question_answered\", \"id\", \"question\", \"answer\", \"answered_by\"}; "
            "continue with other work meanwhile. options are suggested answers (advisory: any free text may come "
            "back); multi: several options may be chosen. The question stays open for ttl_seconds (1 to 21600 = "
            "6 h, the default); then it expires with the answer \"[expired]\". Asking a peer obeys your allow-list "
            "as send does; the operator can always be asked. Withdraw a question with cancel_thread."),
        object(
            {{QStringLiteral("question"),
              text(QStringLiteral("the question; not empty; at most 16384 bytes of UTF-8"), 1, MaxQuestionBytes)},
             {QStringLiteral("options"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                          {QStringLiteral("items"),
                           text(QStringLiteral("one suggested answer, at most 1024 bytes"), 1, MaxOptionBytes)},
                          {QStringLiteral("maxItems"), MaxQuestionOptions},
                          {QStringLiteral("description"), QStringLiteral("up to 32 suggested answers")}}},
             {QStringLiteral("multi"), QJsonObject{{QStringLiteral("type"), QStringLiteral("boolean")},
                                                   {QStringLiteral("description"),
                                                    QStringLiteral("several options may be chosen (default false)")}}},
             {QStringLiteral("ttl_seconds"),
              integer(QStringLiteral("how long the question stays open, 1 to 21600 (6 h, the default)"), 1,
                      MaxQuestionTtlSeconds)},
             {QStringLiteral("to"),
              text(QStringLiteral("\"operator\" (the default) or an agent's name (\"manager\" included)"), 1)}},
            {QStringLiteral("question")}),
        check<AskParams>);
    tools << tool(
        "answer", "Answer a question",
        QStringLiteral(
            "Answer a question that was put to you: it came as a system message {\"event\": \"question_asked\", "
            "\"id\", \"from\", \"question\", \"options\", \"multi\"}, and get_open_threads lists the open ones under "
            "to_answer. Only you (the target) or the operator may answer it, and the first answer wins; the asker "
            "receives it as question_answered. The answer is free text, whether or not it is one of the options. "
            "Returns {id}."),
        object({{QStringLiteral("id"), integer(QStringLiteral("the question's id"), 1)},
                {QStringLiteral("answer"),
                 text(QStringLiteral("the answer; not empty; at most 16384 bytes of UTF-8"), 1, MaxAnswerBytes)}},
               {QStringLiteral("id"), QStringLiteral("answer")}),
        check<AnswerParams>);
    tools << tool(
        "remind", "Set a reminder",
        QStringLiteral(
            "Leave a note for your future self: when it is due, the engine puts it in your inbox as a system "
            "message {\"event\": \"reminder\", \"id\", \"message\", \"set_at\", \"due_at\"}. Give exactly one of "
            "delay_seconds (1 to 2592000, that is up to 30 days) and at (an ISO 8601 time with a zone, such as "
            "2026-01-31T09:00:00Z, at most 30 days ahead). Returns {id, due_at} at once. Reminders survive restarts; "
            "you may have at most 100 pending; cancel one with cancel_thread (kind \"reminder\")."),
        object({{QStringLiteral("message"),
                 text(QStringLiteral("what to tell your future self; not empty; at most 16384 bytes of UTF-8"), 1,
                      ReminderMaxBytes)},
                {QStringLiteral("delay_seconds"),
                 integer(QStringLiteral("due this many seconds from now, 1 to 2592000 (30 days); not with at"), 1,
                         ReminderMaxDelaySeconds)},
                {QStringLiteral("at"),
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                             {QStringLiteral("format"), QStringLiteral("date-time")},
                             {QStringLiteral("description"),
                              QStringLiteral("due at this time, ISO 8601 with a zone (2026-01-31T09:00:00Z); at most "
                                             "30 days ahead; not with delay_seconds")}}}},
               {QStringLiteral("message")}),
        check<RemindParams>);
    tools << readOnly(
        tool("get_open_threads", "Open threads",
             QStringLiteral("What you still wait for or owe, changing nothing: {asked: open questions you asked, "
                            "to_answer: open questions put to you (answer them with answer), reminders: your pending "
                            "reminders and failed ones}. Each question has id, asker, target, question, options, "
                            "multi, asked_at, expires_at; each reminder id, message, due_at, state."),
             object({}), check<OpenThreadsParams>));
    tools << tool(
        "cancel_thread", "Cancel a question or reminder",
        QStringLiteral("Withdraw one of your own threads: kind \"question\" cancels an open question you asked (an "
                       "agent it was put to is told); kind \"reminder\" cancels one of your pending or failed "
                       "reminders. Returns {kind, id}."),
        object(
            {{QStringLiteral("kind"),
              QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                          {QStringLiteral("enum"), QJsonArray{QStringLiteral("question"), QStringLiteral("reminder")}},
                          {QStringLiteral("description"), QStringLiteral("\"question\" or \"reminder\"")}}},
             {QStringLiteral("id"),
              integer(QStringLiteral("the question's or reminder's id (from ask, remind or get_open_threads)"), 1)}},
            {QStringLiteral("kind"), QStringLiteral("id")}),
        check<CancelThreadParams>);
    tools << readOnly(tool("whoami", "Who am I",
                           QStringLiteral("Who you are to the engine: {name, role (\"agent\" or \"manager\"), "
                                          "engine_version}."),
                           object({}), check<WhoamiParams>));
    return tools;
}

QList<McpTool> managerTools()
{
    const QString notYourself = QStringLiteral(" Not for yourself: ask the operator for that.");
    const QString answersWithAgent =
        QStringLiteral(" It answers when the operation has run, with the agent {name, kind, state, container, "
                       "allowed_recipients, unread, inflight, ...}.");
    QList<McpTool> tools;
    tools << managers(tool(
        "request_spawn", "Request a new agent",
        QStringLiteral(
            "Ask the operator for a new agent with the default config. Returns the approval {id, kind \"spawn\", "
            "agent, state \"pending\", ...} at once; the outcome comes later in your inbox as a system message "
            "{\"event\": \"approval_resolved\", \"id\", \"state\" (deployed, failed or denied), \"note\" or "
            "\"error\"}. To give the agent its own config first, use request_spawn_draft instead."),
        object({{QStringLiteral("name"),
                 agentName(QStringLiteral("the new agent: a lowercase letter, then up to 11 lowercase letters, digits "
                                          "or '-'; not operator, manager or system, nor an existing agent or draft"))},
                {QStringLiteral("description"), approvalDescription()}},
               {QStringLiteral("name")}),
        checkWithDescription<RequestSpawnParams>));
    tools << managers(tool(
        "request_spawn_draft", "Draft a new agent's config",
        QStringLiteral("Start a new agent's config before asking for the agent: the engine creates its config repo "
                       "with a default agent.toml at /agents/NAME/config in your container and tells you with a "
                       "config_ready system message. Edit and git commit there, then call request_spawn_commit. "
                       "Returns the draft {name, head, config_path, ...}."),
        object({{QStringLiteral("name"), agentName(QStringLiteral("the new agent's name (as for request_spawn)"))}},
               {QStringLiteral("name")}),
        check<RequestSpawnDraftParams>));
    tools << managers(tool(
        "request_spawn_commit", "Request a drafted agent",
        QStringLiteral("Ask the operator to spawn a drafted agent from a commit of its config repo "
                       "(/agents/NAME/config). agent.toml at that commit is checked now, and every problem is "
                       "listed with file:line:column. Returns the approval (pending) at once; the outcome arrives as "
                       "an approval_resolved system message. After a denial or a failed deploy the draft stays: fix "
                       "it, commit and ask again."),
        object({{QStringLiteral("name"), agentName(QStringLiteral("the drafted agent"))},
                {QStringLiteral("commit_ref"), commitRef()},
                {QStringLiteral("description"), approvalDescription()}},
               {QStringLiteral("name"), QStringLiteral("commit_ref")}),
        checkWithDescription<RequestSpawnCommitParams>));
    tools << managers(tool("kill", "Stop an agent",
                           QStringLiteral("Stop an agent's container gracefully (SIGTERM, then SIGKILL after the "
                                          "grace period); its messages keep queueing until it runs again.") +
                               answersWithAgent + notYourself,
                           object({{QStringLiteral("name"), agentName(QStringLiteral("the agent to stop"))}},
                                  {QStringLiteral("name")}),
                           check<AgentKillParams>),
                      true, true);
    tools << managers(tool("start", "Start an agent",
                           QStringLiteral("Start a stopped or crashed agent's container; an agent that runs already "
                                          "is left alone. A destroyed agent (a tombstone) must be revived by the "
                                          "operator.") +
                               answersWithAgent,
                           object({{QStringLiteral("name"), agentName(QStringLiteral("the agent to start"))}},
                                  {QStringLiteral("name")}),
                           check<AgentStartParams>),
                      false, true);
    tools << managers(tool("restart", "Restart an agent",
                           QStringLiteral("Stop an agent's container and start it again, for example when it is "
                                          "stuck.") +
                               answersWithAgent + notYourself,
                           object({{QStringLiteral("name"), agentName(QStringLiteral("the agent to restart"))}},
                                  {QStringLiteral("name")}),
                           check<AgentRestartParams>),
                      true);
    tools << managers(tool("update", "Re-apply an agent's config",
                           QStringLiteral("Rebuild an agent's container: stop it, build its root tree again from the "
                                          "engine's current settings and the host's files, and start it; its /state "
                                          "is kept. A change to its agent.toml goes through request_apply_commit.") +
                               answersWithAgent + notYourself,
                           object({{QStringLiteral("name"), agentName(QStringLiteral("the agent to update"))}},
                                  {QStringLiteral("name")}),
                           check<AgentUpdateParams>),
                      true);
    tools << managers(tool(
        "request_apply_commit", "Request a config change",
        QStringLiteral("Ask the operator to deploy a commit of an agent's config repo (/agents/NAME/config in your "
                       "container; yours is /agents/manager/config). The commit must build on the running config "
                       "(git fetch applied; rebase on applied/main). agent.toml at that commit is checked now, and "
                       "every problem is listed with file:line:column. Returns the approval (pending) at once; the "
                       "outcome arrives as an approval_resolved system message, and a deploy restarts the agent."),
        object({{QStringLiteral("agent"), agentName(QStringLiteral("the agent whose config changes"))},
                {QStringLiteral("commit_ref"), commitRef()},
                {QStringLiteral("description"), approvalDescription()}},
               {QStringLiteral("agent"), QStringLiteral("commit_ref")}),
        checkWithDescription<RequestApplyCommitParams>));
    tools << managers(readOnly(tool(
        "list_agents", "List the agents",
        QStringLiteral("Every agent, the manager included, changing nothing: {agents: [{name, kind, state (running, "
                       "stopped, starting, stopping, crashed, tombstone, external, or the harness's rate_limited, "
                       "needs_login, over_budget), container, allowed_recipients, unread, inflight, ...}]}."),
        object({}), check<AgentListParams>)));
    return tools;
}

} // namespace

QJsonObject McpTool::describe(bool withTitle, bool withAnnotations) const
{
    QJsonObject json{{QStringLiteral("name"), name},
                     {QStringLiteral("description"), description},
                     {QStringLiteral("inputSchema"), inputSchema}};
    if (withTitle)
        json.insert(QStringLiteral("title"), title);
    if (withAnnotations) {
        json.insert(QStringLiteral("annotations"), QJsonObject{{QStringLiteral("title"), title},
                                                               {QStringLiteral("readOnlyHint"), readOnly},
                                                               {QStringLiteral("destructiveHint"), destructive},
                                                               {QStringLiteral("idempotentHint"), idempotent},
                                                               {QStringLiteral("openWorldHint"), false}});
    }
    return json;
}

const QList<McpTool> &McpTools::all()
{
    static const QList<McpTool> tools = agentTools() + managerTools();
    return tools;
}

const McpTool *McpTools::find(const QString &name)
{
    for (const McpTool &tool : all()) {
        if (tool.name == name)
            return &tool;
    }
    return nullptr;
}

QString McpTools::hint(const QString &tool, const Error &error)
{
    const bool messaging = tool == QLatin1String("send") || tool == QLatin1String("ask");
    switch (error.code) {
    case ErrorCode::Forbidden:
        if (messaging && error.data.contains(QStringLiteral("allowed_recipients"))) {
            return QStringLiteral("Send to one of those instead; to reach anyone else, ask the operator (ask with no "
                                  "'to' always reaches the operator) to change your allowed_recipients.");
        }
        return {};
    case ErrorCode::TooLarge:
        if (tool == QLatin1String("send"))
            return QStringLiteral("Shorten the body, or split it into several messages.");
        if (tool == QLatin1String("remind"))
            return QStringLiteral("Cancel reminders you no longer need (get_open_threads lists them).");
        return {};
    case ErrorCode::Config:
        return QStringLiteral("Fix agent.toml in the config repo, commit, and ask again with the new commit.");
    case ErrorCode::Unavailable:
        if (error.message.startsWith(QLatin1String("the hive engine cannot be reached"))) {
            return QStringLiteral("The call was not made. Try again in a moment; if it keeps failing, the engine is "
                                  "down and only the operator can start it.");
        }
        if (error.message.startsWith(QLatin1String("the connection to the hive engine closed"))) {
            return QStringLiteral("Check before you repeat it (get_open_threads, recv), so that it does not happen "
                                  "twice.");
        }
        return {};
    default:
        return {};
    }
}

} // namespace hive::harness
