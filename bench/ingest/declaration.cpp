#include "bench/ingest/declaration.hpp"

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "schemas/declaration.capnp.h"

namespace bench {

namespace {

struct goods {
  const char* hs_code;
  const char* description;
};

// Descriptions are realistically long so that a declaration is about 1 KB on the wire.
constexpr goods catalogue[] = {
  {"8471300000", "Portable automatic data processing machines, weight not more than 10 kg, "
                 "with keyboard and display, 14-inch notebook computers"},
  {"8517130000", "Smartphones for cellular networks, 6.1-inch display, 128 GB storage, "
                 "dual SIM, retail packaged with charger cable"},
  {"8708999990", "Parts and accessories of motor vehicles: aluminium control arms for "
                 "front suspension, machined, not further assembled"},
  {"8504409999", "Static converters: switching power supplies 65 W for laptops, output "
                 "20 V DC, with detachable mains cable"},
  {"9018909000", "Medical instruments and appliances: single-use infusion sets, sterile, "
                 "individually packed, in cartons of 100 pieces"},
};

void set_party(swhub::wire::TradeParty::Builder p, const char* id, const char* name) {
  p.setId(id);
  p.setName(name);
  p.setCountry("CN");
}

void fill_item(swhub::wire::GoodsItem::Builder it, uint16_t sequence, const goods& g,
               uint64_t r) {
  it.setSequence(sequence);
  it.setHsCode(g.hs_code);
  it.setDescription(g.description);
  it.setQuantity(static_cast<double>(1 + r % 500));
  it.setUnit("PCE");
  double net = 0.5 + static_cast<double>(r % 1000) / 10.0;
  it.setNetWeightKg(net);
  it.setGrossWeightKg(net * 1.1 + 0.2); // packaging: gross >= net
  it.setCustomsValue("1250.00");
  it.setCurrency("USD");
  it.setOriginCountry("DE");
}

} // namespace

declaration_factory::declaration_factory(std::string party, uint64_t seed, doc_size size)
  : party_(std::move(party)), size_(size), state_(seed * 0x9E3779B97F4A7C15ull + 1) {
  // nop
}

uint64_t declaration_factory::random() {
  // xorshift64*: cheap, and the bench does not need better.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return state_ * 0x2545F4914F6CDD1Dull;
}

hub::bytes declaration_factory::next() {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<swhub::wire::Declaration>();
  d.setDeclarationId(party_ + "-" + std::to_string(++counter_));
  d.setType(swhub::wire::DeclarationType::IMPORT);
  bool small = size_ == doc_size::small;
  set_party(d.initDeclarant(), "91310115MA1K4BENCH",
            small ? "Bench Brokerage" : "Shanghai Bench Customs Brokerage Co., Ltd.");
  set_party(d.initImporter(), "91310000MA1FL0IMPX",
            small ? "Bench Trading" : "Shanghai Bench Import & Export Trading Co., Ltd.");
  d.setCustomsUnit("2200");
  auto n = small ? 1u : static_cast<unsigned>(1 + random() % 3);
  auto items = d.initItems(n);
  static const goods small_goods{"8471300000", "Notebook computers"};
  for (unsigned i = 0; i < n; ++i) {
    auto r = random();
    fill_item(items[i], static_cast<uint16_t>(i + 1),
              small ? small_goods : catalogue[r % (sizeof catalogue / sizeof catalogue[0])],
              r >> 8);
  }
  return hub::to_bytes(mb);
}

} // namespace bench
