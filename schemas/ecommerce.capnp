@0xe5a1c7d3b9f20461;
# The e-commerce documents on the wire (document types "ecommerce.ceb311" ... see
# docs/protocol.md): a platform, payment company, logistics company or declaring agent
# sends the CEB XML message it sends to China E-Port today, byte for byte, as the
# envelope's payload. The records the hub makes of it are in ceb.capnp.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

struct CebMessage {
  xml @0 :Data;      # the message as sent: a CEBnnnMessage (UTF-8, with or without a
                     # byte-order mark or XML declaration) or a DxpMsg terminal-node
                     # envelope holding one in base64; never re-serialised by the hub
}
