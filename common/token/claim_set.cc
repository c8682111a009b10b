#include "common/token/claim_set.h"

namespace meshid {

using json::JsonDocument;
using json::JsonNode;
using json::JsonType;

void ClaimSet::Clear() {
  for (Claim* c : {&iss, &sub, &aud, &exp, &nbf, &iat, &jti, &client_id, &scope,
                   &roles, &pst}) {
    *c = Claim();
  }
  roles_all_strings = true;
  role_names.clear();
}

// Dispatches on the name's length first: most names are three letters.
Claim* ClaimSlot(absl::string_view k, ClaimSet* c) {
  switch (k.size()) {
    case 3:
      if (k == "iss") return &c->iss;
      if (k == "sub") return &c->sub;
      if (k == "aud") return &c->aud;
      if (k == "exp") return &c->exp;
      if (k == "nbf") return &c->nbf;
      if (k == "iat") return &c->iat;
      if (k == "jti") return &c->jti;
      if (k == "pst") return &c->pst;
      return nullptr;
    case 5:
      if (k == "scope") return &c->scope;
      if (k == "roles") return &c->roles;
      return nullptr;
    case 9:
      return k == "client_id" ? &c->client_id : nullptr;
    default:
      return nullptr;
  }
}

void ClaimSetFromDocument(const JsonDocument& doc, ClaimSet* out) {
  out->Clear();
  const JsonNode& root = doc.root();
  const JsonNode* roles = nullptr;
  for (const JsonNode* m = doc.FirstChild(root); m != nullptr;
       m = doc.NextSibling(root, m)) {
    Claim* slot = ClaimSlot(m->key, out);
    if (slot == nullptr) continue;
    slot->present = true;
    slot->type = m->type;
    slot->text = m->text;
    if (slot == &out->roles) roles = m;
  }
  if (roles == nullptr || roles->type != JsonType::kArray) return;
  for (const JsonNode* r = doc.FirstChild(*roles); r != nullptr;
       r = doc.NextSibling(*roles, r)) {
    if (r->type != JsonType::kString) {
      out->roles_all_strings = false;
      out->role_names.clear();
      return;
    }
    out->role_names.push_back(r->text);
  }
}

}  // namespace meshid
