// The Python scripts that draw `vigil eval`'s HTML reports with matplotlib, installed in
// <bin>/../share/vigil/, and writing their JSON input.
#ifndef VIGIL_HOST_CLI_REPORT_SCRIPT_H_
#define VIGIL_HOST_CLI_REPORT_SCRIPT_H_

#include <filesystem>
#include <string>

namespace vigil::cli {

// Runs `python3 <bin>/../share/vigil/SCRIPT JSON DIR` (no shell) with $VIGIL_PYTHON, else
// Debian's /usr/bin/python3 (where python3-matplotlib installs), else python3 on PATH.
// "" on success, else a one-line reason (the script's own last line when it failed).
std::string RunReportScript(const std::string& script_name, const std::filesystem::path& json,
                            const std::filesystem::path& dir);

// Writes `text` to `path` (replacing it); false when it could not (errno says why).
bool WriteText(const std::filesystem::path& path, const std::string& text);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_REPORT_SCRIPT_H_
