"""Demo and bench tooling, above the domain: it drives `parcels` and `permits` through their public services and
import pipeline, and nothing in the domain or the faces imports it.

A map of the package:
- `cambridge`: the Cambridge (MA) demo extract (`fixtures/cambridge/`) and its loader (`load_demo`);
- `shared_data`: the recipe for the development datasets of `../shared/data` (`load_shared_data`);
- `common`: what the scripted journeys share: demo users, the heritage site, the commission's steps to a signed,
  published decision (session with quorum, examination, decision, PAdES signatures with the development PKI);
- `permit_flow`: a scripted building-permit journey on the demo data (`demo_permit_flow`);
- `commission_flow`: a scripted commission journey on the demo data (`demo_commission_flow`);
- `synthetic`: synthetic parcels for scale, the bench's data generator (`generate_parcels`).
"""
