Feature: Unsubscribes
  SIA's unsubscribes and Salesforce's Email Opt Out are kept in step both ways when
  Unsubscribe Sync is on; re-subscribes never sync; SIA never touches Marketo's
  unsubscribed; the Marketo Unsubscribe Check asks Marketo before every send. Carla is a
  contact, Lena a lead.

  Background:
    Given the data set "owner-filter" in Salesforce and Marketo
    And the admin has started the data sync

  @U-SF-TWO-WAY
  Scenario: An unsubscribe in SIA reaches Salesforce at once, for contacts and leads
    Given the setting "unsubscribe_sync" is on
    When "carla@acme.example" unsubscribes in SIA
    Then the Salesforce contact "carla@acme.example" has opted out of email
    And the Salesforce lead "lena@leadco.example" has not opted out of email
    When "lena@leadco.example" unsubscribes in SIA
    Then the Salesforce lead "lena@leadco.example" has opted out of email

  @U-SF-TWO-WAY
  Scenario Outline: An opt-out set in Salesforce reaches SIA on the periodic sync, for contacts and leads
    Given the setting "unsubscribe_sync" is on
    When in Salesforce the <who> "<person>" opts out of email
    And <sync>
    Then "<person>" is unsubscribed in SIA
    And "<other>" is not unsubscribed in SIA

    Examples:
      | who     | person              | other               | sync                         |
      | lead    | lena@leadco.example | carla@acme.example  | SIA runs the unsubscribe sync |
      | contact | carla@acme.example  | lena@leadco.example | SIA runs the unsubscribe sync |
      | lead    | sam@syncco.example  | carla@acme.example  | SIA runs every periodic sync  |
      | contact | carla@acme.example  | sam@syncco.example  | SIA runs every periodic sync  |

  @U-SF-TWO-WAY
  Scenario: Opt-outs set after a pass reach SIA on the next pass, and the one after
    Given the setting "unsubscribe_sync" is on
    And SIA runs the unsubscribe sync
    When in Salesforce the contact "carla@acme.example" opts out of email
    And SIA runs the unsubscribe sync
    Then "carla@acme.example" is unsubscribed in SIA
    When 2 hours pass
    And in Salesforce the lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    Then "lena@leadco.example" is unsubscribed in SIA
    And "sam@syncco.example" is not unsubscribed in SIA

  @U-SF-TWO-WAY
  Scenario: A new opt-out in Salesforce counts again after a re-subscribe in SIA
    Given the setting "unsubscribe_sync" is on
    And in Salesforce the lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    And "lena@leadco.example" re-subscribes in SIA
    When in Salesforce the lead "lena@leadco.example" opts back in to email
    And SIA runs the unsubscribe sync
    And in Salesforce the lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    Then "lena@leadco.example" is unsubscribed in SIA

  @U-SF-TWO-WAY @S-SETTINGS
  Scenario: With Unsubscribe Sync off nothing goes either way, and switched back on it does again
    Given the setting "unsubscribe_sync" is off
    When "carla@acme.example" unsubscribes in SIA
    And in Salesforce the lead "lena@leadco.example" opts out of email
    And SIA runs the unsubscribe sync
    Then the Salesforce contact "carla@acme.example" has not opted out of email
    And "lena@leadco.example" is not unsubscribed in SIA
    When the setting "unsubscribe_sync" is switched on
    And "sam@syncco.example" unsubscribes in SIA
    Then the Salesforce lead "sam@syncco.example" has opted out of email

  @U-NO-RESUBSCRIBE
  Scenario Outline: Unchecking the opt-out in Salesforce does not re-subscribe in SIA
    Given the setting "unsubscribe_sync" is on
    And <unsubscribed>
    And SIA runs the unsubscribe sync
    When in Salesforce the <who> "<person>" opts back in to email
    And SIA runs the unsubscribe sync
    And SIA runs every periodic sync
    Then "<person>" is unsubscribed in SIA

    Examples:
      | who     | person              | unsubscribed                                                    |
      | contact | carla@acme.example  | "carla@acme.example" unsubscribes in SIA                        |
      | lead    | lena@leadco.example | "lena@leadco.example" unsubscribes in SIA                       |
      | lead    | sam@syncco.example  | in Salesforce the lead "sam@syncco.example" opts out of email   |
      | contact | carla@acme.example  | in Salesforce the contact "carla@acme.example" opts out of email |

  @U-NO-RESUBSCRIBE
  Scenario Outline: A re-subscribe in SIA does not reach Salesforce, nor is it undone
    Given the setting "unsubscribe_sync" is on
    And "<person>" unsubscribes in SIA
    When "<person>" re-subscribes in SIA
    And SIA runs the unsubscribe sync
    And SIA runs every periodic sync
    Then the Salesforce <who> "<person>" has opted out of email
    And "<person>" is not unsubscribed in SIA

    Examples:
      | who     | person              |
      | contact | carla@acme.example  |
      | lead    | lena@leadco.example |

  @U-NOT-TO-MARKETO
  Scenario Outline: An unsubscribe or re-subscribe in SIA never reaches Marketo
    Given the setting "unsubscribe_sync" is <switch>
    When "<person>" unsubscribes in SIA
    And <then>
    And SIA runs every periodic sync
    Then the Marketo person "<person>" is not unsubscribed
    And SIA made no write to Marketo but sales activities
    And SIA made no call that writes a person to Marketo

    Examples:
      | switch | person              | then                                       |
      | on     | carla@acme.example  | SIA runs the unsubscribe sync              |
      | on     | lena@leadco.example | SIA runs the unsubscribe sync              |
      | off    | carla@acme.example  | SIA runs the unsubscribe sync              |
      | off    | lena@leadco.example | "lena@leadco.example" re-subscribes in SIA |
      | on     | sam@syncco.example  | "sam@syncco.example" re-subscribes in SIA  |

  @M-SF-SYNC @U-NOT-TO-MARKETO
  Scenario: An unsubscribe in SIA reaches Marketo only through Marketo's own Salesforce sync
    Given the setting "unsubscribe_sync" is on
    When "carla@acme.example" unsubscribes in SIA
    Then the Marketo person "carla@acme.example" is not unsubscribed
    When Marketo's Salesforce sync runs
    Then the Marketo person "carla@acme.example" is unsubscribed
    And SIA made no call that writes a person to Marketo

  @M-SF-SYNC @U-SF-TWO-WAY
  Scenario: An unsubscribe in Marketo reaches SIA through Salesforce
    Given the setting "unsubscribe_sync" is on
    When the Marketo person "lena@leadco.example" unsubscribes
    And Marketo's Salesforce sync runs
    And SIA runs the unsubscribe sync
    Then "lena@leadco.example" is unsubscribed in SIA

  @U-MARKETO-CHECK @S-SETTINGS
  Scenario Outline: With the check on, a send to an address unsubscribed in Marketo is blocked
    Given the setting "marketo_unsubscribe_check" is on
    And the Marketo person "<person>" is unsubscribed in Marketo
    When <send>
    Then the send is refused with a clear error
    And the send asked Marketo exactly once whether "<person>" is unsubscribed
    And Marketo has no "Send Sales Email" activity for "<person>"
    And Salesforce has no Task on the <who> "<person>"
    And the send made no call to Salesforce
    And SIA's own record of "<person>" holds no email

    Examples:
      | person              | who     | send                                                                                             |
      | carla@acme.example  | contact | a seller sends the sales email "Quarterly review" to "carla@acme.example"                        |
      | lena@leadco.example | lead    | a seller sends the sales email "Quarterly review" to "lena@leadco.example"                       |
      | lena@leadco.example | lead    | a seller sends the sales email "Renewal" in the sales campaign "Q4 Outreach" to "lena@leadco.example" |

  @U-MARKETO-CHECK
  Scenario Outline: With the check on, a send to a subscribed address asks once and goes
    Given the setting "marketo_unsubscribe_check" is on
    When a seller sends the sales email "Quarterly review" to "<person>"
    Then the send went ahead
    And the send asked Marketo exactly once whether "<person>" is unsubscribed
    And Marketo has exactly 1 "Send Sales Email" activity for "<person>"
    And Salesforce has exactly 1 Task of type "Email" on the <who> "<person>"

    Examples:
      | person              | who     |
      | lena@leadco.example | lead    |
      | carla@acme.example  | contact |

  @U-MARKETO-CHECK
  Scenario: Every send asks Marketo afresh: the answer of an earlier send is never reused
    Given the setting "marketo_unsubscribe_check" is on
    When a seller sends the sales email "First" to "carla@acme.example"
    Then the send went ahead
    When the Marketo person "carla@acme.example" is unsubscribed in Marketo
    And a seller sends the sales email "Second" to "carla@acme.example"
    Then the send is refused with a clear error
    And the send asked Marketo exactly once whether "carla@acme.example" is unsubscribed
    When the Marketo person "carla@acme.example" is subscribed again in Marketo
    And a seller sends the sales email "Third" to "carla@acme.example"
    Then the send went ahead
    And the send asked Marketo exactly once whether "carla@acme.example" is unsubscribed
    And Marketo has exactly 2 "Send Sales Email" activities for "carla@acme.example"

  @U-MARKETO-CHECK
  Scenario: With the check off, Marketo is not asked and the send goes
    Given the setting "marketo_unsubscribe_check" is off
    And the Marketo person "carla@acme.example" is unsubscribed in Marketo
    When a seller sends the sales email "Quarterly review" to "carla@acme.example"
    Then the send went ahead
    And the send did not ask Marketo whether anyone is unsubscribed
    And Marketo has exactly 1 "Send Sales Email" activity for "carla@acme.example"
