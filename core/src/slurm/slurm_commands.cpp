#include "slurm/slurm_commands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace platbench::slurm {

std::vector<std::string> sbatch_arguments(const SubmitRequest& request) {
    std::vector<std::string> args{"--parsable", "--no-requeue", "--job-name=" + request.job_name};
    if (request.exclusive) args.push_back("--exclusive");
    const SlurmPlacement& placement = request.placement;
    if (!placement.partition.empty()) args.push_back("--partition=" + placement.partition);
    if (!placement.account.empty()) args.push_back("--account=" + placement.account);
    if (!placement.nodes.empty()) args.push_back("--nodelist=" + placement.nodes);
    if (!request.exclude.empty()) args.push_back("--exclude=" + request.exclude);
    if (!placement.constraint.empty()) args.push_back("--constraint=" + placement.constraint);
    if (placement.time_limit_seconds > 0) args.push_back("--time=" + time_limit_text(placement.time_limit_seconds));
    if (request.array_tasks > 0) args.push_back("--array=0-" + std::to_string(request.array_tasks - 1));
    if (!request.output_pattern.empty()) args.push_back("--output=" + request.output_pattern);
    if (!request.comment.empty()) args.push_back("--comment=" + request.comment);
    args.push_back(request.script);
    return args;
}

std::string nodes_to_exclude(const std::vector<std::string>& placement_nodes, const std::vector<std::string>& all_nodes) {
    std::string others;
    for (const std::string& node : all_nodes) {
        if (std::find(placement_nodes.begin(), placement_nodes.end(), node) != placement_nodes.end()) continue;
        if (("," + others + ",").find("," + node + ",") != std::string::npos) continue;  // listed per partition
        others += (others.empty() ? "" : ",") + node;
    }
    return others;
}

std::optional<std::string> parse_submitted_job_id(const std::string& output) {
    std::string line = output.substr(0, output.find('\n'));
    line = line.substr(0, line.find(';'));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.size() > 20 || !std::all_of(line.begin(), line.end(), ::isdigit)) return std::nullopt;
    return line;
}

std::string time_limit_text(double seconds) {
    const long total = static_cast<long>(std::ceil(seconds));
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    return text;
}

std::vector<int> expand_task_ranges(const std::string& text) {
    std::vector<int> tasks;
    const std::string ranges = text.substr(0, text.find('%'));  // "%2": at most 2 at once
    std::stringstream parts(ranges);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int first = 0, last = 0;
        char dash = 0;
        std::istringstream range(part);
        if (!(range >> first)) return {};
        last = first;
        if (range >> dash) {
            if (dash != '-' || !(range >> last) || last < first || last - first > 1'000'000) return {};
        }
        for (int task = first; task <= last; ++task) tasks.push_back(task);
    }
    return tasks;
}

namespace {

// "Key=Value Key=Value ..." of one `scontrol show job -o` line. Values do not
// hold spaces for the keys read here.
std::map<std::string, std::string> fields_of(const std::string& line) {
    std::map<std::string, std::string> fields;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
        const auto equals = word.find('=');
        if (equals != std::string::npos) fields.emplace(word.substr(0, equals), word.substr(equals + 1));
    }
    return fields;
}

}  // namespace

std::vector<JobState> parse_show_job(const std::string& output) {
    std::vector<JobState> jobs;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        const auto fields = fields_of(line);
        auto field = [&](const char* name) {
            auto it = fields.find(name);
            return it == fields.end() ? std::string() : it->second;
        };
        JobState job;
        job.job_id = field("JobId");
        if (job.job_id.empty()) continue;
        job.array_job_id = field("ArrayJobId").empty() ? job.job_id : field("ArrayJobId");
        if (!field("ArrayTaskId").empty()) job.array_tasks = expand_task_ranges(field("ArrayTaskId"));
        job.state = field("JobState");
        job.reason = field("Reason");
        job.nodes = field("NodeList");
        job.exit_code = field("ExitCode");
        jobs.push_back(std::move(job));
    }
    return jobs;
}

bool JobState::ended() const {
    static const char* const kFinal[] = {"COMPLETED", "FAILED",    "CANCELLED",     "TIMEOUT", "NODE_FAIL",
                                         "PREEMPTED", "BOOT_FAIL", "DEADLINE",      "OUT_OF_MEMORY",
                                         "SPECIAL_EXIT", "REVOKED"};
    return std::any_of(std::begin(kFinal), std::end(kFinal), [&](const char* s) { return state == s; });
}

bool JobState::stuck() const {
    if (state != "PENDING") return false;
    static const char* const kNeverStarts[] = {"ReqNodeNotAvail", "NodeDown",     "BadConstraints",
                                               "PartitionNodeLimit", "PartitionDown", "InvalidAccount",
                                               "InvalidQOS",      "PartitionConfig", "JobHeldAdmin"};
    return std::any_of(std::begin(kNeverStarts), std::end(kNeverStarts),
                       [&](const char* r) { return reason.rfind(r, 0) == 0; });
}

}  // namespace platbench::slurm
