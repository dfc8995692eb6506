"""The WSDL tests' SOAP client: Python's zeep (Debian python3-zeep), the reference client of issue 15.

  python3 zeep_client.py describe WSDL                      -> {"operations": {name: signature}}
  python3 zeep_client.py call WSDL OPERATION INPUT_JSON     -> {"result": ...} or {"fault": {...}}
  python3 zeep_client.py strict WSDL OPERATION INPUT_JSON   -> {"request": [errors], "response": [errors], "tags": {...}}
  python3 zeep_client.py tags FILE                          -> the Body's first child and its children, as {ns}local

WSDL is a file or a URL (e.g. a SOAP channel's own `?wsdl`).

`strict` checks what zeep is lenient about: the request zeep builds and the raw answer of the channel
are validated by libxml2 (lxml.etree.XMLSchema) against the XSDs embedded in the WSDL (the Body's
first child against the schema of its namespace); empty lists mean valid. `tags` gives the answer's
element and its children's qualified names, as lxml reads them.

Zeep builds its client from the WSDL (whose soap:address is the channel's URL) and calls the
operation with INPUT_JSON as keyword arguments; {"$decimal": "1.20"}, {"$datetime": "...ISO..."} and
{"$date": "YYYY-MM-DD"} become Decimal / datetime / date first. The parsed answer is printed as JSON
the way Wharf normalises output: decimals as plain strings, datetimes as UTC ISO with milliseconds
and Z, dates as YYYY-MM-DD; absent elements (None) and empty lists are left out.
"""
import datetime
import decimal
import json
import sys

import zeep
from lxml import etree
from zeep.helpers import serialize_object

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"


def to_python(v):
    if isinstance(v, dict):
        if set(v) == {"$decimal"}:
            return decimal.Decimal(v["$decimal"])
        if set(v) == {"$datetime"}:
            return datetime.datetime.fromisoformat(v["$datetime"].replace("Z", "+00:00"))
        if set(v) == {"$date"}:
            return datetime.date.fromisoformat(v["$date"])
        return {k: to_python(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_python(x) for x in v]
    return v


def to_json(v):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            j = to_json(x)
            if j is None or j == []:
                continue
            out[k] = j
        return out
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


def schema_errors(wsdl_root, element):
    """Validates `element` against the embedded xsd:schema whose targetNamespace is its namespace."""
    ns = etree.QName(element).namespace
    for s in wsdl_root.iterfind("{%s}types/{%s}schema" % (WSDL, XSD)):
        if s.get("targetNamespace") == ns:
            schema = etree.XMLSchema(etree.fromstring(etree.tostring(s)))
            ok = schema.validate(etree.fromstring(etree.tostring(element)))
            return [] if ok else [str(e) for e in schema.error_log]
    return ["no embedded schema for namespace %r" % ns]


def tags(envelope):
    """The Body's first child and its child elements, in Clark notation ({namespace}local)."""
    el = body_child(envelope)
    return {"element": el.tag, "children": [c.tag for c in el if isinstance(c.tag, str)]}


def body_child(envelope):
    for body in envelope:
        if etree.QName(body).localname == "Body":
            return body[0]
    raise ValueError("no Body")


def main(argv):
    cmd, wsdl = argv[1], argv[2]
    if cmd == "tags":
        with open(wsdl, "rb") as f:
            print(json.dumps(tags(etree.fromstring(f.read()))))
        return 0
    client = zeep.Client(wsdl)
    if cmd == "describe":
        ops = {}
        for service in client.wsdl.services.values():
            for port in service.ports.values():
                for name, op in port.binding._operations.items():
                    ops[name] = {"input": op.input.signature(), "output": op.output.signature(), "soapAction": op.soapaction, "address": port.binding_options["address"]}
        print(json.dumps({"operations": ops}))
        return 0
    if cmd == "call":
        op, args = argv[3], to_python(json.loads(argv[4]))
        try:
            result = client.service[op](**args)
        except zeep.exceptions.Fault as f:
            detail = None if f.detail is None else zeep.helpers.etree.tostring(f.detail).decode()
            print(json.dumps({"fault": {"message": f.message, "code": f.code, "detail": detail}}))
            return 0
        print(json.dumps({"result": to_json(serialize_object(result, dict))}))
        return 0
    if cmd == "strict":
        name, args = argv[3], to_python(json.loads(argv[4]))
        service = next(iter(client.wsdl.services.values()))
        port = next(iter(service.ports.values()))
        op = port.binding._operations[name]
        envelope, headers = port.binding._create(name, [], args, client=client)
        wsdl_root = etree.fromstring(client.transport.load(wsdl))
        request = schema_errors(wsdl_root, body_child(envelope))
        answer = client.transport.post_xml(port.binding_options["address"], envelope, headers)
        reply = etree.fromstring(answer.content)
        response = schema_errors(wsdl_root, body_child(reply))
        print(json.dumps({"request": request, "response": response, "status": answer.status_code, "soapAction": op.soapaction, "tags": tags(reply)}))
        return 0
    print("unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
