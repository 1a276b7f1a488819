// SPDX-License-Identifier: MIT
/* Only what Swift cannot import from MIT's GSS-API headers: function-like
 * macros, status constants built from shifts, and C globals that Swift 6
 * treats as unsafe shared mutable state. Each is a static inline getter. */
#ifndef ZGSS_CGSSAPI_SHIM_H
#define ZGSS_CGSSAPI_SHIM_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_ext.h>
#include <krb5.h>

static inline int cgss_is_error(OM_uint32 major) { return GSS_ERROR(major) != 0; }
static inline OM_uint32 cgss_s_complete(void) { return GSS_S_COMPLETE; }
static inline OM_uint32 cgss_s_continue_needed(void) { return GSS_S_CONTINUE_NEEDED; }
static inline OM_uint32 cgss_routine_error(OM_uint32 major) { return GSS_ROUTINE_ERROR(major); }
static inline OM_uint32 cgss_s_context_expired(void) { return GSS_S_CONTEXT_EXPIRED; }
static inline OM_uint32 cgss_s_credentials_expired(void) { return GSS_S_CREDENTIALS_EXPIRED; }
static inline OM_uint32 cgss_s_no_cred(void) { return GSS_S_NO_CRED; }
static inline OM_uint32 cgss_s_defective_credential(void) { return GSS_S_DEFECTIVE_CREDENTIAL; }
static inline OM_uint32 cgss_s_bad_name(void) { return GSS_S_BAD_NAME; }
static inline OM_uint32 cgss_s_bad_nametype(void) { return GSS_S_BAD_NAMETYPE; }
static inline OM_uint32 cgss_s_defective_token(void) { return GSS_S_DEFECTIVE_TOKEN; }
static inline OM_uint32 cgss_s_duplicate_token(void) { return GSS_S_DUPLICATE_TOKEN; }
static inline OM_uint32 cgss_s_old_token(void) { return GSS_S_OLD_TOKEN; }
static inline OM_uint32 cgss_s_unseq_token(void) { return GSS_S_UNSEQ_TOKEN; }
static inline OM_uint32 cgss_s_gap_token(void) { return GSS_S_GAP_TOKEN; }
static inline OM_uint32 cgss_supplementary(OM_uint32 major) { return GSS_SUPPLEMENTARY_INFO(major); }

static inline OM_uint32 cgss_c_gss_code(void) { return GSS_C_GSS_CODE; }
static inline OM_uint32 cgss_c_mech_code(void) { return GSS_C_MECH_CODE; }
static inline OM_uint32 cgss_c_indefinite(void) { return GSS_C_INDEFINITE; }

static inline OM_uint32 cgss_c_mutual_flag(void) { return GSS_C_MUTUAL_FLAG; }
static inline OM_uint32 cgss_c_replay_flag(void) { return GSS_C_REPLAY_FLAG; }
static inline OM_uint32 cgss_c_sequence_flag(void) { return GSS_C_SEQUENCE_FLAG; }
static inline OM_uint32 cgss_c_conf_flag(void) { return GSS_C_CONF_FLAG; }
static inline OM_uint32 cgss_c_integ_flag(void) { return GSS_C_INTEG_FLAG; }
static inline gss_qop_t cgss_c_qop_default(void) { return GSS_C_QOP_DEFAULT; }

static inline gss_cred_usage_t cgss_c_initiate(void) { return GSS_C_INITIATE; }
static inline gss_cred_usage_t cgss_c_accept(void) { return GSS_C_ACCEPT; }

static inline gss_OID cgss_nt_hostbased_service(void) { return GSS_C_NT_HOSTBASED_SERVICE; }
static inline gss_OID cgss_nt_user_name(void) { return GSS_C_NT_USER_NAME; }
static inline gss_OID cgss_nt_krb5_principal(void) { return (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME; }
static inline gss_OID cgss_mech_krb5(void) { return (gss_OID)gss_mech_krb5; }
static inline gss_OID cgss_inq_sspi_session_key(void) { return GSS_C_INQ_SSPI_SESSION_KEY; }

static inline gss_name_t cgss_no_name(void) { return GSS_C_NO_NAME; }
static inline gss_cred_id_t cgss_no_credential(void) { return GSS_C_NO_CREDENTIAL; }
static inline gss_ctx_id_t cgss_no_context(void) { return GSS_C_NO_CONTEXT; }
static inline gss_buffer_t cgss_no_buffer(void) { return GSS_C_NO_BUFFER; }
static inline gss_channel_bindings_t cgss_no_channel_bindings(void) { return GSS_C_NO_CHANNEL_BINDINGS; }
static inline gss_OID_set cgss_no_oid_set(void) { return GSS_C_NO_OID_SET; }
static inline gss_OID cgss_no_oid(void) { return GSS_C_NO_OID; }

#endif
