#include "report/report_xml.h"

#include <cctype>
#include <cstring>
#include <map>
#include <pugixml.hpp>
#include <sstream>

namespace vigil::report {
namespace {

constexpr const char* kXsi = "http://www.w3.org/2001/XMLSchema-instance";
constexpr const char* kSchemaLocation = "https://report.cybertip.org/ispws/xsd";

// The documented incident types.
constexpr const char* kIncidentTypes[] = {
    kIncidentChildPornography,
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Act",
    "Unsolicited Obscene Material Sent to a Child",
};

// A documented child: its name, how many may appear, whether it must.
struct Child {
  const char* name;
  bool required;
  bool repeats;
};

// <report>'s children, in the documented order.
constexpr Child kReportChildren[] = {
    {"incidentSummary", true, false},
    {"internetDetails", false, true},
    {"lawEnforcement", false, false},
    {"reporter", true, false},
    {"personOrUserReported", false, false},
    {"intendedRecipient", false, true},
    {"victim", false, true},
    {"additionalInfo", false, false},
};
// <fileDetails>'s children, in the documented order.
constexpr Child kFileDetailsChildren[] = {
    {"reportId", true, false},
    {"fileId", true, false},
    {"fileName", false, false},
    {"originalFileName", false, false},
    {"locationOfFile", false, false},
    {"fileViewedByEsp", false, false},
    {"exifViewedByEsp", false, false},
    {"publiclyAvailable", false, false},
    {"fileRelevance", false, false},
    {"fileAnnotations", false, false},
    {"industryClassification", false, false},
    {"originalFileHash", false, true},
    {"ipCaptureEvent", false, false},
    {"deviceId", false, true},
    {"details", false, true},
    {"additionalInfo", false, true},
};

std::string Print(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

pugi::xml_node Root(pugi::xml_document& doc, const char* name) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = doc.append_child(name);
  root.append_attribute("xmlns:xsi") = kXsi;
  root.append_attribute("xsi:noNamespaceSchemaLocation") = kSchemaLocation;
  return root;
}

void Text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

bool IsIsoTime(const std::string& t) {
  // YYYY-MM-DDTHH:MM:SS with an optional fraction and a Z or +hh:mm offset.
  if (t.size() < 20) return false;
  const char* shape = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != shape[i]) {
      return false;
    }
  }
  size_t i = 19;
  if (t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  }
  const std::string zone = t.substr(i);
  return zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':');
}

bool IsHex(const std::string& s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Trimmed(const char* text) {
  std::string s = text;
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// Every child element of `parent` is one of `children`, in their order and count, and the
// required ones are there.
template <size_t N>
Status CheckChildren(pugi::xml_node parent, const Child (&children)[N]) {
  size_t at = 0;
  std::map<std::string, int> seen;
  for (pugi::xml_node child = parent.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_comment) continue;
    if (child.type() != pugi::node_element) {
      if (Trimmed(child.value()).empty()) continue;
      return Status::InvalidArgument(std::string("<") + parent.name() +
                                     "> holds text outside its elements");
    }
    const std::string name = child.name();
    size_t k = at;
    while (k < N && name != children[k].name) ++k;
    if (k == N) {
      for (size_t j = 0; j < N; ++j) {
        if (name == children[j].name) {
          return Status::InvalidArgument("<" + name + "> is out of the documented order in <" +
                                         parent.name() + ">");
        }
      }
      return Status::InvalidArgument("<" + name + "> is not a documented element of <" +
                                     parent.name() + ">");
    }
    if (++seen[name] > 1 && !children[k].repeats) {
      return Status::InvalidArgument("<" + name + "> appears more than once in <" + parent.name() +
                                     ">");
    }
    at = k;
  }
  for (const Child& c : children) {
    if (c.required && seen[c.name] == 0) {
      return Status::InvalidArgument(std::string("<") + parent.name() + "> lacks the required <" +
                                     c.name + ">");
    }
  }
  return Status::Ok();
}

StatusOr<pugi::xml_node> ParseRoot(pugi::xml_document& doc, const std::string& xml,
                                   const char* root_name) {
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_declaration);
  if (!parsed) {
    return Status::InvalidArgument(std::string("not well-formed XML: ") + parsed.description());
  }
  pugi::xml_node root = doc.document_element();
  if (std::strcmp(root.name(), root_name) != 0) {
    return Status::InvalidArgument(std::string("the root element is <") + root.name() + ">, not <" +
                                   root_name + ">");
  }
  return root;
}

Status CheckBoolean(pugi::xml_node parent, const char* name) {
  pugi::xml_node n = parent.child(name);
  if (!n) return Status::Ok();
  const std::string v = Trimmed(n.text().get());
  if (v != "true" && v != "false") {
    return Status::InvalidArgument(std::string("<") + name + "> is '" + v + "', not true or false");
  }
  return Status::Ok();
}

}  // namespace

Status CheckReporter(const Reporter& r) {
  if (r.first_name.empty() || r.last_name.empty()) {
    return Status::InvalidArgument("the reporting person needs a first and a last name");
  }
  const size_t at = r.email.find('@');
  if (at == std::string::npos || at == 0 || r.email.find('.', at) == std::string::npos ||
      r.email.find_first_of(" \t\r\n<>") != std::string::npos) {
    return Status::InvalidArgument("the reporting person's e-mail '" + r.email +
                                   "' is not an address");
  }
  return Status::Ok();
}

std::string BuildReportXml(const ReportDocument& report) {
  pugi::xml_document doc;
  pugi::xml_node root = Root(doc, "report");
  pugi::xml_node summary = root.append_child("incidentSummary");
  Text(summary, "incidentType", report.incident_type);
  Text(summary, "incidentDateTime", report.incident_date_time);
  pugi::xml_node person = root.append_child("reporter").append_child("reportingPerson");
  Text(person, "firstName", report.reporter.first_name);
  Text(person, "lastName", report.reporter.last_name);
  Text(person, "email", report.reporter.email);
  if (!report.uploader_id.empty()) {
    pugi::xml_node reported = root.append_child("personOrUserReported");
    Text(reported, "espIdentifier", report.uploader_id);
    if (!report.esp_service.empty()) Text(reported, "espService", report.esp_service);
  }
  if (!report.additional_info.empty()) Text(root, "additionalInfo", report.additional_info);
  return Print(doc);
}

std::string BuildFileDetailsXml(const FileDetailsDocument& d) {
  pugi::xml_document doc;
  pugi::xml_node root = Root(doc, "fileDetails");
  Text(root, "reportId", d.report_id);
  Text(root, "fileId", d.file_id);
  if (!d.original_name.empty()) Text(root, "originalFileName", d.original_name);
  if (!d.location.empty()) Text(root, "locationOfFile", d.location);
  Text(root, "fileViewedByEsp", d.viewed_by_esp ? "true" : "false");
  if (!d.classification.empty()) Text(root, "industryClassification", d.classification);
  if (!d.md5.empty()) {
    pugi::xml_node hash = root.append_child("originalFileHash");
    hash.append_attribute("hashType") = "MD5";
    hash.text().set(d.md5.c_str());
  }
  if (!d.sha256.empty()) {
    pugi::xml_node details = root.append_child("details");
    details.append_attribute("type") = "HASH";
    pugi::xml_node pair = details.append_child("nameValuePair");
    Text(pair, "name", "SHA256");
    Text(pair, "value", d.sha256);
  }
  if (!d.upload_time.empty()) {
    Text(root, "additionalInfo", "Uploaded to the reporting company at " + d.upload_time);
  }
  return Print(doc);
}

Status ValidateReportXml(const std::string& xml) {
  pugi::xml_document doc;
  auto root = ParseRoot(doc, xml, "report");
  if (!root.ok()) return root.status();
  if (Status s = CheckChildren(root.value(), kReportChildren); !s.ok()) return s;
  pugi::xml_node summary = root.value().child("incidentSummary");
  const std::string type = Trimmed(summary.child("incidentType").text().get());
  bool known = false;
  for (const char* t : kIncidentTypes) known = known || type == t;
  if (!summary.child("incidentType")) {
    return Status::InvalidArgument("<incidentSummary> lacks the required <incidentType>");
  }
  if (!known) return Status::InvalidArgument("'" + type + "' is not a documented incident type");
  const std::string when = Trimmed(summary.child("incidentDateTime").text().get());
  if (!summary.child("incidentDateTime")) {
    return Status::InvalidArgument("<incidentSummary> lacks the required <incidentDateTime>");
  }
  if (!IsIsoTime(when)) {
    return Status::InvalidArgument("<incidentDateTime> '" + when + "' is not an ISO-8601 time");
  }
  pugi::xml_node person = root.value().child("reporter").child("reportingPerson");
  if (!person) return Status::InvalidArgument("<reporter> lacks the required <reportingPerson>");
  Reporter reporter{Trimmed(person.child("firstName").text().get()),
                    Trimmed(person.child("lastName").text().get()),
                    Trimmed(person.child("email").text().get())};
  if (Status s = CheckReporter(reporter); !s.ok()) return s;
  return Status::Ok();
}

Status ValidateFileDetailsXml(const std::string& xml) {
  pugi::xml_document doc;
  auto parsed = ParseRoot(doc, xml, "fileDetails");
  if (!parsed.ok()) return parsed.status();
  pugi::xml_node root = parsed.value();
  if (Status s = CheckChildren(root, kFileDetailsChildren); !s.ok()) return s;
  const std::string report_id = Trimmed(root.child("reportId").text().get());
  if (report_id.empty() || report_id.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("<reportId> '" + report_id + "' is not a number");
  }
  if (Trimmed(root.child("fileId").text().get()).empty()) {
    return Status::InvalidArgument("<fileId> is empty");
  }
  for (const char* flag : {"fileViewedByEsp", "exifViewedByEsp", "publiclyAvailable"}) {
    if (Status s = CheckBoolean(root, flag); !s.ok()) return s;
  }
  if (pugi::xml_node c = root.child("industryClassification")) {
    const std::string v = Trimmed(c.text().get());
    if (v != "A1" && v != "A2" && v != "B1" && v != "B2") {
      return Status::InvalidArgument("<industryClassification> '" + v +
                                     "' is not A1, A2, B1 or B2");
    }
  }
  for (pugi::xml_node h : root.children("originalFileHash")) {
    const std::string type = h.attribute("hashType").value();
    const std::string v = Trimmed(h.text().get());
    if (type == "MD5" ? !IsHex(v, 32) : type == "SHA1" ? !IsHex(v, 40) : true) {
      return Status::InvalidArgument("<originalFileHash hashType=\"" + type + "\"> '" + v +
                                     "' is not a documented hash");
    }
  }
  return Status::Ok();
}

}  // namespace vigil::report
