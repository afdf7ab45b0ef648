@0x946393b534027aa2;
# Customs goods declaration (documentType "customs.declaration"), aligned with the WCO
# Data Model's declaration/goods-item split (WCO DM class names in comments). Later
# issues append fields; none are ever renumbered.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

enum DeclarationType {
  import @0;    # WCO DM 1.1 declaration type "IM"
  export @1;    # "EX"
}

# A trader: WCO DM "Declarant", "Importer", "Exporter".
struct TradeParty {
  id @0 :Text;        # China: 18-char unified social credit code or 10-char customs code
  name @1 :Text;
  country @2 :Text;   # ISO 3166-1 alpha-2
}

enum TransportDocumentType {
  billOfLading @0;        # N705
  airWaybill @1;          # N740
  railConsignmentNote @2; # N760
  roadConsignmentNote @3; # N730
  postalReceipt @4;
  houseBillOfLading @5;   # N714
}

# WCO DM "TransportContractDocument".
struct TransportDocumentRef {
  type @0 :TransportDocumentType;
  number @1 :Text;
}

# WCO DM "GovernmentAgencyGoodsItem".
struct GoodsItem {
  sequence @0 :UInt16;          # 1-based, unique in the declaration
  hsCode @1 :Text;              # 10 digits (China 8-digit tariff + 2 statistical digits)
  description @2 :Text;
  quantity @3 :Float64;         # in `unit`, > 0
  unit @4 :Text;                # unit of quantity, UN/ECE Rec. 20 code (e.g. "KGM", "PCE")
  netWeightKg @5 :Float64;      # >= 0
  grossWeightKg @6 :Float64;    # >= netWeightKg
  customsValue @7 :Text;        # decimal with at most 2 fraction digits, e.g. "1250.00", > 0
  currency @8 :Text;            # ISO 4217 alpha-3
  originCountry @9 :Text;       # ISO 3166-1 alpha-2
  preferentialOriginClaim @10 :Text;  # agreement code (e.g. "RCEP"); empty = none claimed
  originCertificate @11 :Text;  # certificate of origin number backing the claim
  rulingId @12 :Text;           # advance ruling (预裁定) the declarant applies to this item
  licences @13 :List(Text);     # licence ids this item draws on (restricted goods need one)
}

# How the declarant settles the self-assessed tax before release (SR-07.2, SR-08.3/08.4).
enum Settlement {
  payment @0;       # pays the self-assessed tax; release when the payment is confirmed
  guarantee @1;     # release on a reservation of the amount on its guarantee account
  consolidated @2;  # 汇总征税: monthly consolidated payment (eligible tiers), under guarantee
}

# A foreign operator the declaration names by its AEO identifier under a
# mutual-recognition arrangement (SR-18.2): the partner's id (EORI, UEN, ...), matched
# against the AEO data the partner customs sent (foreign.aeo-batch).
struct ForeignOperator {
  role @0 :Text;     # "consignor", "exporter", "manufacturer" (imports); "consignee", "importer" (exports)
  aeoId @1 :Text;
}

struct Declaration {
  declarationId @0 :Text;       # declarant's reference, unique per declarant
  type @1 :DeclarationType;
  declarant @2 :TradeParty;
  importer @3 :TradeParty;
  exporter @4 :TradeParty;
  customsUnit @5 :Text;         # 4-digit customs code of the declaring office
  transportDocuments @6 :List(TransportDocumentRef);
  items @7 :List(GoodsItem);
  settlement @8 :Settlement;
  selfAssessedTax @9 :Text;     # the declarant's own total of duty, consumption tax and VAT,
                                # CNY decimal; empty = not assessed (the hub's figure applies)
  foreignOperators @10 :List(ForeignOperator); # at most 10
}
