#include "config/yaml_document.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <nlohmann/json.hpp>

#include "config/text_checks.hpp"

namespace platbench {
namespace {

YamlProblem problem_at(const YAML::Mark& mark, std::string message, std::string hint = "") {
    YamlProblem problem{0, 0, std::move(message), std::move(hint)};
    if (!mark.is_null()) {
        problem.line = mark.line + 1;
        problem.column = mark.column + 1;
    }
    return problem;
}

// Where each document starts; the events themselves are not needed.
class DocumentStarts : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// The text at `mark`, for a message: one character, made printable.
std::string character_at(const std::string& text, const YAML::Mark& mark) {
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text.size()) return "";
    return printable_text(text.substr(static_cast<std::size_t>(mark.pos), 1));
}

// Reads at most two documents: the second is an error, and so is a parser that
// starts the next document where the last one started (it cannot consume the
// token there, and yaml-cpp's LoadAll would loop on it forever).
std::optional<YamlProblem> check_document_count(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts documents;
    for (int read = 0; read < 2; ++read) {
        if (!parser.HandleNextDocument(documents)) return std::nullopt;
        const std::size_t count = documents.starts.size();
        if (count >= 2 && documents.starts[count - 1].pos <= documents.starts[count - 2].pos) {
            const std::string stuck_on = character_at(text, documents.starts.back());
            return problem_at(documents.starts.back(),
                              "malformed YAML: the parser cannot go past " +
                                  (stuck_on.empty() ? std::string("this point") : "'" + stuck_on + "'"),
                              "',', ']' and '}' belong inside [ ] or { }; quote a value that holds one");
        }
    }
    if (documents.starts.size() >= 2) {
        const YAML::Mark& second = documents.starts[1];
        // yaml-cpp 0.7.0 also ends a document early, without '---', at text it cannot fit into it.
        if (text.compare(static_cast<std::size_t>(std::max(0, second.pos)), 3, "---") != 0) {
            return problem_at(second, "malformed YAML: the text from here does not continue the document above",
                              "check the indentation, quotes and brackets of the lines before it");
        }
        return problem_at(second, "a second YAML document ('---'): an experiment file holds one",
                          "put each experiment in a file of its own");
    }
    return std::nullopt;
}

// Walks every value reachable from the root, aliases followed, within kMaxYamlValues
// values and kMaxYamlDepth levels (an alias inside the value it names is a cycle).
class ValueCounter {
public:
    std::optional<YamlProblem> walk(const YAML::Node& node, int depth) {
        if (++values_ > kMaxYamlValues) {
            return problem_at(node.Mark(),
                              "the file holds more than " + std::to_string(kMaxYamlValues) +
                                  " values, aliases (*name) expanded",
                              "an experiment file needs a few hundred values; write them out or use fewer aliases");
        }
        if (depth > kMaxYamlDepth) {
            return problem_at(node.Mark(),
                              "values nested more than " + std::to_string(kMaxYamlDepth) +
                                  " levels deep, or an alias (*name) inside the value it names",
                              "an experiment file needs a handful of levels; is this the right file?");
        }
        if (!node.IsMap() && !node.IsSequence()) return std::nullopt;
        for (auto it = node.begin(); it != node.end(); ++it) {
            std::optional<YamlProblem> problem =
                node.IsMap() ? walk_pair(it->first, it->second, depth) : walk(*it, depth + 1);
            if (problem) return problem;
        }
        return std::nullopt;
    }

private:
    std::optional<YamlProblem> walk_pair(const YAML::Node& key, const YAML::Node& value, int depth) {
        if (std::optional<YamlProblem> problem = walk(key, depth + 1)) return problem;
        return walk(value, depth + 1);
    }

    std::size_t values_ = 0;
};

std::string encode_problem(const std::optional<YamlProblem>& problem) {
    if (!problem) return "";
    return nlohmann::json{{"line", problem->line},
                          {"column", problem->column},
                          {"message", problem->message},
                          {"hint", problem->hint}}
        .dump();
}

// The child's answer: "" or the problem it found. Anything else is refused.
std::optional<YamlProblem> decode_problem(const std::string& answer) {
    if (answer.empty()) return std::nullopt;
    const nlohmann::json parsed = nlohmann::json::parse(answer, nullptr, /*allow_exceptions=*/false);
    YamlProblem problem;
    try {
        problem.line = parsed.at("line").get<int>();
        problem.column = parsed.at("column").get<int>();
        problem.message = parsed.at("message").get<std::string>();
        problem.hint = parsed.at("hint").get<std::string>();
    } catch (const nlohmann::json::exception&) {
        problem = {0, 0, "the YAML check answered something unreadable", ""};
    }
    return problem;
}

YamlProblem guard_problem(const GuardedOutcome& outcome, const GuardLimits& limits) {
    return {1, 1,
            "the YAML parser " + describe_guard_failure(outcome, limits) + " on this file: refused",
            "a defect of the YAML library on some input; look for stray punctuation (',' '[' '{' '&' '*') in "
            "what you last changed, and please report the file to platbench's developers"};
}

}  // namespace

GuardLimits yaml_parse_limits() {
    GuardLimits limits;
    limits.time = std::chrono::seconds(30);
    limits.memory_bytes = std::size_t{2} << 30;
    limits.answer_bytes = 64 * 1024;
    return limits;
}

std::optional<YamlProblem> find_yaml_problem(const std::string& text) {
    try {
        if (std::optional<YamlProblem> problem = check_document_count(text)) return problem;
        const YAML::Node root = YAML::Load(text);
        return ValueCounter().walk(root, 0);
    } catch (const YAML::DeepRecursion& e) {
        return problem_at(e.mark, "malformed YAML: nested too deeply (" + std::to_string(e.depth()) + " levels)",
                          "an experiment file needs a handful of levels; is this the right file?");
    } catch (const YAML::Exception& e) {
        return problem_at(e.mark, "malformed YAML: " + e.msg);
    }
}

YamlParse parse_single_yaml_document(const std::string& text, bool guarded, const GuardLimits& limits) {
    YamlParse parse;
    if (guarded) {
        const GuardedOutcome outcome =
            guarded_call([&text] { return encode_problem(find_yaml_problem(text)); }, limits);
        switch (outcome.status) {
            case GuardStatus::Finished:
                parse.problem = decode_problem(outcome.answer);
                break;
            case GuardStatus::NotStarted:  // no child process here: check in this process
                parse.problem = find_yaml_problem(text);
                break;
            default:
                parse.problem = guard_problem(outcome, limits);
                break;
        }
    } else {
        parse.problem = find_yaml_problem(text);
    }
    if (parse.problem) return parse;
    try {
        parse.root = YAML::Load(text);  // the child read the same text to the end, within the limits
    } catch (const YAML::Exception& e) {
        parse.problem = problem_at(e.mark, "malformed YAML: " + e.msg);
    }
    return parse;
}

}  // namespace platbench
