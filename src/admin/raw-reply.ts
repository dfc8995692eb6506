/** An admin route's answer that is not JSON (a WSDL document, a file): sent with its own content type. */
export class RawReply {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}
