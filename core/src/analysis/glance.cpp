#include "analysis/glance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "analysis/metric_roles.hpp"

namespace platbench {
namespace {

// ---- figures as a reader takes them in --------------------------------------

// 17148.8 -> "17.1k", 951.4 -> "951", 95.23 -> "95.2", 0.00741 -> "0.00741".
std::string short_number(double value) {
    if (!std::isfinite(value)) return "-";
    char text[32];
    const double magnitude = std::fabs(value);
    if (magnitude >= 1e10) std::snprintf(text, sizeof text, "%.3gG", value / 1e9);
    else if (magnitude >= 1e7) std::snprintf(text, sizeof text, "%.3gM", value / 1e6);
    else if (magnitude >= 1e4) std::snprintf(text, sizeof text, "%.3gk", value / 1e3);
    else if (magnitude >= 100) std::snprintf(text, sizeof text, "%.0f", value);
    else std::snprintf(text, sizeof text, "%.3g", value);
    return text;
}

// A relative performance: two decimals where they mean something, else three digits.
std::string relative_number(double value) {
    if (!std::isfinite(value)) return "-";
    char text[32];
    std::snprintf(text, sizeof text, value >= 0.1 && value < 100 ? "%.2f" : "%.3g", value);
    return text;
}

std::string percent_of(double half_width, double mean) {
    if (!std::isfinite(half_width) || !std::isfinite(mean) || mean == 0) return "±?";
    char text[32];
    std::snprintf(text, sizeof text, "±%.1f%%", 100 * half_width / std::fabs(mean));
    return text;
}

const char* verdict_word(Verdict verdict) {
    switch (verdict) {
        case Verdict::Faster: return "better";
        case Verdict::Slower: return "worse";
        case Verdict::Higher: return "higher";
        case Verdict::Lower: return "lower";
        case Verdict::NoSignificantDifference: return "n.s.";
        case Verdict::TooFewRuns: return "n<2";
    }
    return "?";
}

// ---- lines of at most kGlanceWidth columns ------------------------------------

// Characters on the terminal, not bytes: UTF-8 continuation bytes take no column ("±").
std::size_t columns(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// `lead` (padded to `lead_width`), then the items separated by three spaces,
// continued on lines indented to the items' column when they do not fit.
void print_items(const std::string& lead, std::size_t lead_width, const std::vector<std::string>& items,
                 std::ostream& out) {
    std::string line = "  " + lead + std::string(lead_width > columns(lead) ? lead_width - columns(lead) : 1, ' ');
    const std::size_t indent = columns(line);
    bool first = true;
    for (const std::string& item : items) {
        if (!first && columns(line) + 3 + columns(item) > kGlanceWidth) {
            out << line << "\n";
            line = std::string(indent, ' ');
            first = true;
        }
        line += (first ? "" : "   ") + item;
        first = false;
    }
    out << line << "\n";
}

// Words wrapped at kGlanceWidth: the first line keeps `text`'s own leading
// spaces, the lines after it are indented by `indent`.
void print_wrapped(const std::string& text, std::size_t indent, std::ostream& out) {
    const std::size_t lead = std::min(text.find_first_not_of(' '), text.size());
    std::string line = text.substr(0, lead);
    bool empty = true;  // no word on `line` yet
    std::istringstream words(text.substr(lead));
    for (std::string word; words >> word;) {
        if (!empty && columns(line) + 1 + columns(word) > kGlanceWidth) {
            out << line << "\n";
            line = std::string(indent, ' ');
            empty = true;
        }
        line += (empty ? "" : " ") + word;
        empty = false;
    }
    if (!empty) out << line << "\n";
}

// ---- what each cell shows ---------------------------------------------------

struct CellView {
    std::string id;
    std::string platform;
    std::vector<std::string> headlines;  // headline metrics its runs report
};

std::vector<CellView> cell_views(const ReportInput& input, const MetricRoles& roles) {
    std::vector<CellView> cells;
    std::set<std::string> seen;
    for (const RunRecord& run : input.runs) {
        if (run.warmup || run.status != RunStatus::Ok || !seen.insert(run.cell_id).second) continue;
        cells.push_back({run.cell_id, run.platform_instance, roles.headlines(run.workload_plugin, run.metrics)});
    }
    return cells;
}

std::size_t cell_column(const std::vector<CellView>& cells) {
    std::size_t widest = 4;
    for (const CellView& cell : cells) widest = std::max(widest, columns(cell.id));
    return std::min<std::size_t>(widest + 2, 44);
}

void print_counts(const ReportInput& input, std::ostream& out) {
    std::size_t ok = 0, failed = 0, skipped = 0;
    for (const CellOutcomeCount& cell : input.summary.cells) ok += cell.ok, failed += cell.failed, skipped += cell.skipped;
    out << input.experiment.name << " (experiment " << input.experiment.id << "): " << ok + failed + skipped
        << " measured runs: " << ok << " ok, " << failed << " failed, " << skipped << " skipped\n";
    for (const CellOutcomeCount& cell : input.summary.cells)
        if (cell.ok == 0 && (cell.failed != 0 || cell.skipped != 0))
            print_wrapped("  " + cell.cell_id + ": no successful run; last reason: " + cell.last_reason, 6, out);
}

void print_results(const ReportInput& input, const std::vector<CellView>& cells, std::ostream& out) {
    std::map<std::pair<std::string, std::string>, const MetricSummaryRow*> rows;
    for (const MetricSummaryRow& row : input.summary.rows) rows[{row.cell_id, row.metric}] = &row;
    out << "\nresults: the headline metrics' mean, its 95% interval as ± % of it, and the runs it is over\n";
    const std::size_t width = cell_column(cells);
    for (const CellView& cell : cells) {
        std::vector<std::string> items;
        std::size_t n = 0;
        for (const std::string& metric : cell.headlines) {
            auto row = rows.find({cell.id, metric});
            if (row == rows.end()) continue;
            const MetricSummaryRow& r = *row->second;
            items.push_back(metric + " " + short_number(r.mean) + " " + r.unit + " " + percent_of(r.ci95_half_width, r.mean));
            n = std::max(n, r.n);
        }
        items.push_back("n=" + std::to_string(n));
        print_items(cell.id, width, items, out);
    }
}

void print_relative(const ReportInput& input, const std::vector<CellView>& cells, std::ostream& out) {
    std::map<std::pair<std::string, std::string>, const ComparisonRow*> rows;
    for (const ComparisonRow& row : input.comparison.rows) rows[{row.cell_id, row.metric}] = &row;
    if (rows.empty()) return;
    std::vector<std::pair<std::string, std::vector<std::string>>> lines;  // cell, its items
    bool any_unbounded = false;
    for (const CellView& cell : cells) {
        std::vector<std::string> items;
        for (const std::string& metric : cell.headlines) {
            auto row = rows.find({cell.id, metric});
            if (row == rows.end()) continue;
            const ComparisonRow& r = *row->second;
            any_unbounded = any_unbounded || !r.relative.bounded;
            const std::string interval = r.relative.bounded ? " [" + relative_number(r.relative.ci.low) + "-" +
                                                                  relative_number(r.relative.ci.high) + "]"
                                                            : " [unbounded]";
            items.push_back(metric + " " + relative_number(r.relative.ratio) + interval + " " + verdict_word(r.verdict));
        }
        if (!items.empty()) lines.emplace_back(cell.id, std::move(items));
    }
    out << "\nrelative performance against " << input.comparison.baseline
        << " (higher is better: 0.90 = 10% worse) [95% interval, log scale], verdict at 5%\n"
           "(Welch's t-test, p adjusted by Holm over all the cell's metrics: an interval clear of 1 may still be n.s.)\n";
    if (any_unbounded) out << "[unbounded]: a mean's own interval reaches 0, so the ratio's has no bound\n";
    const std::size_t width = cell_column(cells);
    for (const auto& [cell, items] : lines) print_items(cell, width, items, out);
    for (const std::string& note : input.comparison.notes) print_wrapped("  not compared: " + note, 6, out);
}

// ---- validity, one line per check -------------------------------------------

// At most this many subjects of one check are named at a glance; the rest are counted.
constexpr std::size_t kNamedSubjects = 3;

std::string subject_text(const ValidityFinding& finding) {
    return finding.subject + (finding.figure.empty() ? "" : " (" + finding.figure + ")");
}

// The subjects of a check's findings: all of them when few, else how many and the
// ones with the largest figure (the noisiest cells), so one check stays a line or two.
std::string subjects_text(std::vector<const ValidityFinding*> findings) {
    std::string subjects;
    if (findings.size() > kNamedSubjects + 1) {
        std::stable_sort(findings.begin(), findings.end(), [](const ValidityFinding* a, const ValidityFinding* b) {
            return std::strtod(a->figure.c_str(), nullptr) > std::strtod(b->figure.c_str(), nullptr);
        });
        for (std::size_t i = 0; i < kNamedSubjects; ++i) subjects += (i == 0 ? "" : ", ") + subject_text(*findings[i]);
        return std::to_string(findings.size()) + " cells, the worst " + subjects + " (all in the report)";
    }
    for (const ValidityFinding* finding : findings) subjects += (subjects.empty() ? "" : ", ") + subject_text(*finding);
    return subjects;
}

void print_check(const std::string& check, const std::vector<const ValidityFinding*>& findings, std::ostream& out) {
    const bool warning = std::any_of(findings.begin(), findings.end(), [](const ValidityFinding* f) { return f->warning; });
    const std::string head = std::string("  ") + (warning ? "warning " : "note ") + check + ": ";
    const std::string subjects = subjects_text(findings);
    bool one_message = true, one_summary = !findings.front()->summary.empty();
    for (const ValidityFinding* finding : findings) {
        one_message = one_message && finding->message == findings.front()->message;
        one_summary = one_summary && finding->summary == findings.front()->summary;
    }
    if (one_message) {
        print_wrapped(head + subjects + ": " + findings.front()->message, 6, out);
    } else if (one_summary) {
        print_wrapped(head + findings.front()->summary + ": " + subjects, 6, out);
    } else {
        print_wrapped(head + subjects + ": " + findings.front()->message + " (and " +
                          std::to_string(findings.size() - 1) + " more findings: see the report)",
                      6, out);
    }
}

void print_validity_by_check(const ReportInput& input, std::ostream& out) {
    out << "\nvalidity checks (each finding in full: platbench report)\n";
    if (input.findings.empty()) {
        out << "  none found a problem\n";
        return;
    }
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ValidityFinding*>> by_check;
    for (const ValidityFinding& finding : input.findings) {
        if (by_check.count(finding.check) == 0) order.push_back(finding.check);
        by_check[finding.check].push_back(&finding);
    }
    for (const std::string& check : order) print_check(check, by_check[check], out);
}

// ---- the verdict ------------------------------------------------------------

// Whether a finding's subject names `platform` or one of its cells, or the host.
bool concerns(const ValidityFinding& finding, const std::string& platform) {
    if (finding.subject == "host") return true;
    std::istringstream subjects(finding.subject);
    for (std::string subject; std::getline(subjects, subject, ',');) {
        subject.erase(0, subject.find_first_not_of(' '));
        if (subject == platform || subject.rfind(platform + "/", 0) == 0) return true;
    }
    return false;
}

std::string platform_sentence(const ReportInput& input, const std::string& platform,
                              const std::vector<const ComparisonRow*>& rows) {
    int better = 0, worse = 0, unclear = 0;
    double log_sum = 0;
    int logs = 0;
    for (const ComparisonRow* row : rows) {
        if (row->verdict == Verdict::Faster) ++better;
        else if (row->verdict == Verdict::Slower) ++worse;
        else ++unclear;
        if (std::isfinite(row->relative.ratio) && row->relative.ratio > 0) log_sum += std::log(row->relative.ratio), ++logs;
    }
    std::string sentence = platform + ": on " + std::to_string(rows.size()) + " headline comparisons with " +
                           input.comparison.baseline + ", relative performance " +
                           (logs > 0 ? relative_number(std::exp(log_sum / logs)) : std::string("-")) +
                           " (geometric mean); " + std::to_string(better) + " better, " + std::to_string(worse) +
                           " worse, " + std::to_string(unclear) + " without a significant difference";
    std::set<std::string> checks;
    for (const ValidityFinding& finding : input.findings)
        if (finding.warning && concerns(finding, platform)) checks.insert(finding.check);
    if (checks.empty()) return sentence + "; no validity check warns about it, so these figures allow a conclusion.";
    std::string listed;
    for (const std::string& check : checks) listed += (listed.empty() ? "" : ", ") + check;
    return sentence + "; validity warnings concern it (" + listed + "): weigh them before concluding.";
}

// Whether a validity finding already says this caveat (a platform's emulation, say).
bool said_by_a_finding(const ReportInput& input, const std::string& note) {
    return std::any_of(input.findings.begin(), input.findings.end(), [&](const ValidityFinding& finding) {
        return note.find(finding.message.substr(0, finding.message.find(';'))) != std::string::npos;
    });
}

}  // namespace

std::vector<std::string> verdict_sentences(const ReportInput& input) {
    const MetricRoles roles = MetricRoles::from_experiment(input.experiment.config);
    std::vector<std::string> platforms;
    std::map<std::string, std::vector<const ComparisonRow*>> headline_rows;
    std::map<std::pair<std::string, std::string>, const ComparisonRow*> rows;
    for (const ComparisonRow& row : input.comparison.rows) rows[{row.cell_id, row.metric}] = &row;
    for (const CellView& cell : cell_views(input, roles)) {
        if (cell.platform == input.comparison.baseline) continue;
        for (const std::string& metric : cell.headlines) {
            auto row = rows.find({cell.id, metric});
            if (row == rows.end()) continue;
            if (headline_rows.count(cell.platform) == 0) platforms.push_back(cell.platform);
            headline_rows[cell.platform].push_back(row->second);
        }
    }
    std::vector<std::string> sentences;
    for (const std::string& platform : platforms)
        sentences.push_back(platform_sentence(input, platform, headline_rows[platform]));
    return sentences;
}

void print_glance(const ReportInput& input, std::ostream& out) {
    const MetricRoles roles = MetricRoles::from_experiment(input.experiment.config);
    const std::vector<CellView> cells = cell_views(input, roles);
    print_counts(input, out);
    print_results(input, cells, out);
    print_relative(input, cells, out);
    for (const std::string& note : input.summary.notes)
        if (!said_by_a_finding(input, note)) print_wrapped("note: " + note, 6, out);
    print_validity_by_check(input, out);
    const std::vector<std::string> sentences = verdict_sentences(input);
    if (sentences.empty()) return;
    out << "\nverdict\n";
    for (const std::string& sentence : sentences) print_wrapped("  " + sentence, 4, out);
}

}  // namespace platbench
