// herd — the GSSAPI functions libzmq.a calls, as stubs that always fail, so a statically
// linked libzmq does not load the krb5 libraries (libgssapi_krb5, libkrb5, libk5crypto,
// libcom_err, libkrb5support, libkeyutils, libresolv: about 0.3 ms of every command's
// start-up). libzmq reaches these only for a socket configured with ZMQ_GSSAPI_SERVER or
// ZMQ_GSSAPI_CLIENT; herd authenticates with MUNGE and never sets those options, and a
// peer announcing GSSAPI is refused as a mechanism mismatch before any of this runs. Linked
// only when cmake/HerdDeps.cmake links libzmq statically with HERD_ZMQ_GSSAPI off; compiled
// with -fvisibility=hidden, so nothing loaded later (an NSS module) can bind to these.
#include <gssapi/gssapi.h>

namespace {

OM_uint32 Unavailable(OM_uint32* minor_status) {
  if (minor_status != nullptr) *minor_status = 0;
  return GSS_S_UNAVAILABLE;
}

OM_uint32 NothingToRelease(OM_uint32* minor_status) {
  if (minor_status != nullptr) *minor_status = 0;
  return GSS_S_COMPLETE;
}

}  // namespace

extern "C" {

gss_OID GSS_C_NT_USER_NAME = GSS_C_NO_OID;
gss_OID GSS_C_NT_HOSTBASED_SERVICE = GSS_C_NO_OID;

OM_uint32 KRB5_CALLCONV gss_acquire_cred(OM_uint32* minor_status, gss_name_t, OM_uint32,
                                         gss_OID_set, gss_cred_usage_t,
                                         gss_cred_id_t* output_cred_handle, gss_OID_set*,
                                         OM_uint32*) {
  if (output_cred_handle != nullptr) *output_cred_handle = GSS_C_NO_CREDENTIAL;
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_init_sec_context(OM_uint32* minor_status, gss_cred_id_t, gss_ctx_id_t*,
                                             gss_name_t, gss_OID, OM_uint32, OM_uint32,
                                             gss_channel_bindings_t, gss_buffer_t, gss_OID*,
                                             gss_buffer_t, OM_uint32*, OM_uint32*) {
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_accept_sec_context(OM_uint32* minor_status, gss_ctx_id_t*,
                                               gss_cred_id_t, gss_buffer_t, gss_channel_bindings_t,
                                               gss_name_t*, gss_OID*, gss_buffer_t, OM_uint32*,
                                               OM_uint32*, gss_cred_id_t*) {
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_import_name(OM_uint32* minor_status, gss_buffer_t, gss_OID,
                                        gss_name_t* output_name) {
  if (output_name != nullptr) *output_name = GSS_C_NO_NAME;
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_display_name(OM_uint32* minor_status, gss_name_t, gss_buffer_t,
                                         gss_OID*) {
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_wrap(OM_uint32* minor_status, gss_ctx_id_t, int, gss_qop_t,
                                 gss_buffer_t, int*, gss_buffer_t) {
  return Unavailable(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_unwrap(OM_uint32* minor_status, gss_ctx_id_t, gss_buffer_t,
                                   gss_buffer_t, int*, gss_qop_t*) {
  return Unavailable(minor_status);
}

// Nothing was ever created, so there is nothing to free.
OM_uint32 KRB5_CALLCONV gss_delete_sec_context(OM_uint32* minor_status, gss_ctx_id_t*,
                                               gss_buffer_t) {
  return NothingToRelease(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_release_buffer(OM_uint32* minor_status, gss_buffer_t) {
  return NothingToRelease(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_release_cred(OM_uint32* minor_status, gss_cred_id_t*) {
  return NothingToRelease(minor_status);
}

OM_uint32 KRB5_CALLCONV gss_release_name(OM_uint32* minor_status, gss_name_t*) {
  return NothingToRelease(minor_status);
}

}  // extern "C"
